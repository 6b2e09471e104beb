// The official signer ships no typings (tencentyun/tls-sig-api-v2-node#3); only what the tests call is declared.
declare module 'tls-sig-api-v2' {
  class Api {
    constructor(sdkappid: number, key: string);
    /** Uses Math.floor(Date.now() / 1000) as TLS.time. */
    genSig(userid: string, expire: number, userBuf?: Buffer | null): string;
    genUserSig(userid: string, expire: number): string;
  }
  const TLSSigAPIv2: { Api: typeof Api };
  export default TLSSigAPIv2;
}
