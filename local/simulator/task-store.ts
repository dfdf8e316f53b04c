import { mkdirSync } from "node:fs";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type SimulatorTask, simulatorTaskSchema, taskStatuses } from "./simulator-task.js";

const taskIdPattern = /^sim_[a-z0-9]{8,64}$/;

/** Ids reach the file system, so anything else is refused before a path is built. */
export const isTaskId = (value: string): boolean => taskIdPattern.test(value);

export type TaskStore = ReturnType<typeof createTaskStore>;

/** One JSON file per task under `<dataDir>/tasks`, written atomically (temp file + rename). */
export const createTaskStore = (dataDir: string) => {
  const folders = {
    tasks: join(dataDir, "tasks"),
    inputs: join(dataDir, "inputs"),
    videos: join(dataDir, "videos"),
  };
  for (const folder of Object.values(folders)) mkdirSync(folder, { recursive: true });

  const taskPath = (taskId: string): string => join(folders.tasks, `${taskId}.json`);

  const save = async (task: SimulatorTask): Promise<void> => {
    const path = taskPath(task.taskId);
    const temporaryPath = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporaryPath, JSON.stringify(task, null, 2));
    await rename(temporaryPath, path);
  };

  const load = async (taskId: string): Promise<SimulatorTask | undefined> => {
    if (!isTaskId(taskId)) return undefined;
    try {
      return simulatorTaskSchema.parse(JSON.parse(await readFile(taskPath(taskId), "utf8")));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  };

  const listUnfinished = async (): Promise<SimulatorTask[]> => {
    const names = await readdir(folders.tasks);
    const tasks = await Promise.all(
      names.filter((name) => name.endsWith(".json")).map((name) => load(name.slice(0, -".json".length))),
    );
    return tasks.filter((task): task is SimulatorTask => task?.status === taskStatuses.inProgress);
  };

  return {
    save,
    load,
    listUnfinished,
    inputPath: (taskId: string): string => join(folders.inputs, `${taskId}.image`),
    videoPath: (taskId: string): string => join(folders.videos, `${taskId}.mp4`),
  };
};
