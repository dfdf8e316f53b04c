import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { MediaStore } from "../../core/ports.js";

const isMissing = (error: unknown): boolean =>
  error instanceof NotFound ||
  error instanceof NoSuchKey ||
  ["NotFound", "NoSuchKey"].includes((error as { name?: string }).name ?? "");

export type S3Clients = {
  /** For reads and writes. */
  client: S3Client;
  /**
   * For presigning only. Its requestChecksumCalculation is WHEN_REQUIRED: with the SDK's default the
   * presigned URL would carry the CRC of an empty body and every download would be refused.
   */
  presigner: S3Client;
};

export function createS3Clients(config: S3ClientConfig = {}): S3Clients {
  return {
    client: new S3Client(config),
    presigner: new S3Client({
      ...config,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  };
}

export function createS3MediaStore(clients: S3Clients, bucket: string): MediaStore {
  const { client, presigner } = clients;
  return {
    async putObject(key, body, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
      );
    },
    async uploadStream(key, body: Readable, contentType) {
      // A bare PutObject of a stream of unknown length fails; Upload sends 5 MB parts, a few at a time.
      let bytes = 0;
      body.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        queueSize: 2,
        partSize: 5 * 1024 * 1024,
        leavePartsOnError: false,
      });
      await upload.done();
      return { bytes };
    },
    async startMultipart(key, contentType) {
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      );
      if (!UploadId) throw new Error(`S3 started no multipart upload for ${key}`);
      return { uploadId: UploadId };
    },
    async uploadPart(key, uploadId, partNumber, body) {
      const { ETag } = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
        }),
      );
      if (!ETag) throw new Error(`S3 gave part ${partNumber} of ${key} no ETag`);
      return { eTag: ETag };
    },
    async completeMultipart(key, uploadId, parts) {
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.eTag })) },
        }),
      );
    },
    async abortMultipart(key, uploadId) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch (error) {
        if (!(error instanceof NoSuchUpload) && (error as { name?: string }).name !== "NoSuchUpload")
          throw error;
      }
    },
    async copyObject(fromKey, toKey, options = {}) {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: `${bucket}/${fromKey.split("/").map(encodeURIComponent).join("/")}`,
          ...(options.ifMatch ? { CopySourceIfMatch: `"${options.ifMatch}"` } : {}),
        }),
      );
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (error instanceof NotFound || (error as { name?: string }).name === "NotFound") return false;
        throw error;
      }
    },
    async presignGet(key, expiresInSeconds) {
      return getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: expiresInSeconds,
      });
    },
    async presignPut(key, upload) {
      // Content-Type (and Content-Length when known) are signed: S3 refuses a PUT that differs.
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: upload.contentType,
        ...(upload.contentLength === undefined ? {} : { ContentLength: upload.contentLength }),
      });
      return getSignedUrl(presigner, command, {
        expiresIn: upload.expiresInSeconds,
        signableHeaders: new Set(["content-type", ...(upload.contentLength === undefined ? [] : ["content-length"])]),
      });
    },
    async head(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          size: head.ContentLength ?? 0,
          eTag: (head.ETag ?? "").replace(/"/g, ""),
          contentType: head.ContentType,
          metadata: Object.fromEntries(
            Object.entries(head.Metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
          ),
        };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async readRange(key, start, endInclusive, options = {}) {
      const response = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${start}-${endInclusive}`,
          ...(options.ifMatch ? { IfMatch: `"${options.ifMatch}"` } : {}),
        }),
      );
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    },
    async deleteObject(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async getText(key, maxBytes) {
      try {
        const response = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${maxBytes}` }),
        );
        return response.Body ? await response.Body.transformToString("utf-8") : "";
      } catch (error) {
        if (isMissing(error)) return undefined;
        // A range of an empty object is unsatisfiable: the text is empty.
        if ((error as { name?: string }).name === "InvalidRange") return "";
        throw error;
      }
    },
  };
}
