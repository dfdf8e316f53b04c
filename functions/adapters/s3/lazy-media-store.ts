import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { MediaStore } from "../../core/ports.js";
import { once } from "../load-once.js";

/**
 * The S3 media store, with the S3 SDK (the client, lib-storage, the presigner) loaded on first use
 * rather than at a cold start: its evaluation is the largest share of a handler's init
 * (docs/benchmarks.md, cold-start), and many invocations touch no object (an idle poller's sweep,
 * a poll of a running generation, a status read of an unfinished task, a listing of keys). The
 * first call that does pays the load once per instance.
 */
export function createLazyS3MediaStore(config: S3ClientConfig, bucket: string): MediaStore {
  const store = once(async () => {
    const { createS3Clients, createS3MediaStore } = await import("./s3-media-store.js");
    return createS3MediaStore(createS3Clients(config), bucket);
  });
  const forward = <Name extends keyof MediaStore>(name: Name): MediaStore[Name] => {
    type Method = (...args: Parameters<MediaStore[Name]>) => ReturnType<MediaStore[Name]>;
    const call = async (...args: Parameters<MediaStore[Name]>) => ((await store())[name] as Method)(...args);
    return call as MediaStore[Name];
  };
  return {
    putObject: forward("putObject"),
    uploadStream: forward("uploadStream"),
    startMultipart: forward("startMultipart"),
    uploadPart: forward("uploadPart"),
    completeMultipart: forward("completeMultipart"),
    abortMultipart: forward("abortMultipart"),
    copyObject: forward("copyObject"),
    exists: forward("exists"),
    presignGet: forward("presignGet"),
    presignPut: forward("presignPut"),
    head: forward("head"),
    readRange: forward("readRange"),
    deleteObject: forward("deleteObject"),
    getText: forward("getText"),
  };
}
