/** MiniMax's error envelope: every answer carries `base_resp`, and the HTTP status does not tell. */
export type BaseResp = { status_code: number; status_msg: string };

export const ok: BaseResp = { status_code: 0, status_msg: "success" };

export const minimaxCodes = {
  unknown: 1000,
  rateLimit: 1002,
  notAuthorized: 1004,
  insufficientBalance: 1008,
  internal: 1024,
  invalidParameters: 2013,
} as const;

/** A refusal the MiniMax routes answer on purpose, with HTTP 200 as MiniMax does. */
export class MinimaxRefusal extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "MinimaxRefusal";
  }
}

export const baseResp = (statusCode: number, message: string): { base_resp: BaseResp } => ({
  base_resp: { status_code: statusCode, status_msg: message },
});

/** A test may ask for any code at create with `[sim:base_resp=NNNN]` in the prompt. */
export const requestedCode = (prompt: string): number | undefined => {
  const match = /\[sim:base_resp=(\d{1,5})\]/.exec(prompt);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};
