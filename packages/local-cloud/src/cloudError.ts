/** An error a cloud route answers with: its HTTP status and a stable code (server.ts maps it). */
export class CloudError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
