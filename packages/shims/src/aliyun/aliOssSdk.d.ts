/**
 * The part of `ali-oss` (6.23, plain JavaScript without typings) that the OSS blob store uses,
 * typed from its documented API (lib/client.js, lib/object.js).
 */
declare module 'ali-oss' {
  export interface OssOptions {
    /** `oss-<region>`, e.g. `oss-cn-hangzhou`. */
    region?: string;
    endpoint?: string;
    accessKeyId: string;
    accessKeySecret: string;
    stsToken?: string;
    bucket: string;
    secure?: boolean;
    cname?: boolean;
    timeout?: number | string;
  }
  export interface OssResponseInfo {
    status: number;
    headers: Record<string, string>;
  }
  export interface PutObjectResult {
    name: string;
    res: OssResponseInfo;
  }
  export interface GetObjectResult {
    content: Buffer;
    res: OssResponseInfo;
  }
  export interface HeadObjectResult {
    status: number;
    res: OssResponseInfo;
  }
  export interface RequestOptions {
    headers?: Record<string, string>;
    mime?: string;
    timeout?: number;
  }
  class OSS {
    constructor(options: OssOptions);
    put(name: string, file: Buffer, options?: RequestOptions): Promise<PutObjectResult>;
    get(name: string, file?: null, options?: RequestOptions): Promise<GetObjectResult>;
    head(name: string, options?: RequestOptions): Promise<HeadObjectResult>;
    getBucketInfo(
      name?: string,
    ): Promise<{ bucket?: { Name?: string; Location?: string }; res: OssResponseInfo }>;
    putBucket(
      name: string,
      options?: { acl?: string; storageClass?: string },
    ): Promise<{ bucket: string; res: OssResponseInfo }>;
  }
  export default OSS;
}
