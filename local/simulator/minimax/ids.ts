import { randomInt } from "node:crypto";

/**
 * MiniMax names tasks and files by strings of digits. The simulator keeps one record per task
 * (`sim_<task digits>`), and a file id is the task id with its leading digit changed, so either id
 * finds the record without another index.
 */
const taskIdPattern = /^1\d{14}$/;
const fileIdPattern = /^3\d{14}$/;

export const newMinimaxTaskId = (): string => `1${Array.from({ length: 14 }, () => randomInt(10)).join("")}`;

export const recordIdOf = (minimaxTaskId: string): string | undefined =>
  taskIdPattern.test(minimaxTaskId) ? `sim_${minimaxTaskId}` : undefined;

export const minimaxTaskIdOf = (recordId: string): string => recordId.slice("sim_".length);

export const fileIdOf = (minimaxTaskId: string): string => `3${minimaxTaskId.slice(1)}`;

export const recordIdOfFile = (fileId: string): string | undefined =>
  fileIdPattern.test(fileId) ? `sim_1${fileId.slice(1)}` : undefined;
