// Endpoint auth (-e 1) handshake bytes against the test vector of docs/auth.md. The vector was computed apart
// from this code (Python hashlib, the openssl command line for 3DES, a hand-written TARS encoder); the twice-hashed
// secret of "123456" is the constant TarsCpp's AuthLogic.cpp quotes.
import {createHash} from 'node:crypto';

import {expect} from 'chai';

import {
  AUTH_TIME_WINDOW, ServerAuthGate, authPackage, authRequestFrame, authSignature, authSuccessFrame,
  decodeAuthPackage, decodeRequestFrame, encodeAuthPackage, encodeRequestFrame, requestPacket, verifyAuthPackage,
} from '@tars-ts/core';
import {AuthF} from '@tars-ts/core/framework';

const OBJ = 'TestApp.AuthServer.AuthObj';
const AK = 'tars-test-user';
const SK = '123456';
const T = 1_700_000_000;

const VECTOR = {
  signature: '19c4e6bcb94f29a9cef2f7f97f2912844d6886b427ca7bb8a8b3b7c6cf5807e7df4f43fafcb00599adef5384f91b8819',
  package: '161a546573744170702e417574685365727665722e417574684f626a260e746172732d746573742d75736572326553f1004604' +
    '73686131563019c4e6bcb94f29a9cef2f7f97f2912844d6886b427ca7bb8a8b3b7c6cf5807e7df4f43fafcb00599adef5384f91b8819',
  frame: '000000aa10012c30404001561a546573744170702e417574685365727665722e417574684f626a660f496e6e6572417574685365' +
    '727665727d000069161a546573744170702e417574685365727665722e417574684f626a260e746172732d746573742d7573657232' +
    '6553f100460473686131563019c4e6bcb94f29a9cef2f7f97f2912844d6886b427ca7bb8a8b3b7c6cf5807e7df4f43fafcb00599ad' +
    'ef5384f91b88198c980ca80c',
};

const expectation = {objName: OBJ, secretOf: (ak: string) => (ak === AK ? SK : undefined)};

describe('endpoint auth handshake', () => {
  it('hashes the secret twice as TarsCpp says (sha1 hex of sha1 hex)', () => {
    const s1 = createHash('sha1').update(SK).digest('hex');
    expect(createHash('sha1').update(s1).digest('hex')).to.equal('69c5fcebaa65b560eaf06c3fbeb481ae44b8d618');
  });

  it('gives the signature, the BasicAuthPackage and the request frame of the test vector, byte for byte', () => {
    expect(authSignature(SK, BigInt(T)).toString('hex')).to.equal(VECTOR.signature);
    const pkg = authPackage(OBJ, AK, SK, T + 0.9);
    expect(pkg.iTime).to.equal(BigInt(T));
    expect(encodeAuthPackage(pkg).toString('hex')).to.equal(VECTOR.package);
    expect(authRequestFrame(pkg).toString('hex')).to.equal(VECTOR.frame);
  });

  it('decodes the vector back, and the request frame carries it in a normal RequestPacket', () => {
    const req = decodeRequestFrame(Buffer.from(VECTOR.frame, 'hex'));
    expect(req).to.include({iVersion: 1, cPacketType: 0, iMessageType: 0x40, iRequestId: 1, sServantName: OBJ,
      sFuncName: 'InnerAuthServer', iTimeout: 0});
    const pkg = decodeAuthPackage(req.sBuffer);
    expect(pkg).to.include({sObjName: OBJ, sAccessKey: AK, iTime: BigInt(T), sHashMethod: 'sha1'});
    expect(pkg.sSignature.toString('hex')).to.equal(VECTOR.signature);
  });

  it('the generated AuthF types agree with the hand-made encoding on every field but the binary signature', () => {
    const pkg = AuthF.BasicAuthPackage.decode(Buffer.from(VECTOR.package, 'hex'));
    expect(pkg).to.include({sObjName: OBJ, sAccessKey: AK, iTime: BigInt(T), sHashMethod: 'sha1'});
    expect(AuthF.AUTH_STATE).to.include({AUTH_INIT: -127, AUTH_SUCC: 0, AUTH_PROTO_ERR: -100, AUTH_WRONG_OBJ: -101,
      AUTH_WRONG_AK: -102, AUTH_WRONG_TIME: -103, AUTH_NOT_SUPPORT_ENC: -104, AUTH_DEC_FAIL: -105, AUTH_ERROR: -106});
  });

  it('accepts the vector within the hour and refuses it outside (a recorded old handshake)', () => {
    const body = Buffer.from(VECTOR.package, 'hex');
    const S = AuthF.AUTH_STATE;
    expect(verifyAuthPackage(body, expectation, T).state).to.equal(S.AUTH_SUCC);
    expect(verifyAuthPackage(body, expectation, T + AUTH_TIME_WINDOW - 1).state).to.equal(S.AUTH_SUCC);
    expect(verifyAuthPackage(body, expectation, T - AUTH_TIME_WINDOW + 1).state).to.equal(S.AUTH_SUCC);
    // Bounds excluded, as in TarsCpp.
    expect(verifyAuthPackage(body, expectation, T + AUTH_TIME_WINDOW).state).to.equal(S.AUTH_WRONG_TIME);
    expect(verifyAuthPackage(body, expectation, T - AUTH_TIME_WINDOW).state).to.equal(S.AUTH_WRONG_TIME);
    expect(verifyAuthPackage(body, expectation, T + 86_400).state).to.equal(S.AUTH_WRONG_TIME);
  });

  it('refuses each kind of bad handshake with its AUTH_STATE', () => {
    const S = AuthF.AUTH_STATE;
    const check = (p: Parameters<typeof encodeAuthPackage>[0]): number =>
      verifyAuthPackage(encodeAuthPackage(p), expectation, T).state;
    const good = authPackage(OBJ, AK, SK, T);
    expect(check(good)).to.equal(S.AUTH_SUCC);
    expect(check(authPackage(OBJ, AK, 'wrong', T)), 'wrong secret').to.equal(S.AUTH_ERROR);
    expect(check(authPackage(OBJ, 'someone', SK, T)), 'unknown access key').to.equal(S.AUTH_WRONG_AK);
    expect(check(authPackage('TestApp.AuthServer.OtherObj', AK, SK, T)), 'other object').to.equal(S.AUTH_WRONG_OBJ);
    expect(check({...good, sHashMethod: 'md5'})).to.equal(S.AUTH_NOT_SUPPORT_ENC);
    expect(check({...good, sSignature: good.sSignature.subarray(0, 45)})).to.equal(S.AUTH_DEC_FAIL);
    expect(check({...good, sSignature: Buffer.alloc(0)})).to.equal(S.AUTH_DEC_FAIL);
    // The signature is bound to the time: the same signature with another iTime fails.
    expect(check({...good, iTime: good.iTime + 1n})).to.equal(S.AUTH_ERROR);
    expect(verifyAuthPackage(Buffer.alloc(20, 1), expectation, T).state, '20 bytes or fewer').to.equal(
      S.AUTH_PROTO_ERR);
    expect(verifyAuthPackage(Buffer.alloc(64, 0xff), expectation, T).state, 'garbage').to.equal(S.AUTH_PROTO_ERR);
    // No keys configured: every access key is unknown.
    expect(verifyAuthPackage(encodeAuthPackage(good), {objName: OBJ, secretOf: () => undefined}, T).state)
      .to.equal(S.AUTH_WRONG_AK);
  });

  it('the server gate answers an accepted handshake as TarsCpp does and logs refusals at a bounded rate', () => {
    const lines: string[] = [];
    let ms = 0;
    const gate = new ServerAuthGate({objName: OBJ, accessKey: AK, secretKey: SK}, (l) => lines.push(l),
      {nowSeconds: () => T + 10, nowMs: () => ms});
    const verdict = gate.check(Buffer.from(VECTOR.frame, 'hex'), '127.0.0.1:5000');
    expect(verdict.ok).to.equal(true);
    const answer = (verdict as {answer: Buffer}).answer;
    const req = decodeRequestFrame(Buffer.from(VECTOR.frame, 'hex'));
    expect(answer.equals(authSuccessFrame(req))).to.equal(true);
    // ResponsePacket: iVersion 1, cPacketType 0, iRequestId 1, iMessageType 0x40, iRet 0, sBuffer "AUTH_SUCC",
    // empty status; the optional sResultDesc and context at their defaults are left out.
    expect(answer.toString('hex')).to.equal('0000001b10012c300140405c6d000009415554485f53554343780c');
    const notHandshake = encodeRequestFrame(requestPacket({iRequestId: 7, sServantName: OBJ, sFuncName: 'echo',
      sBuffer: Buffer.from('0603616263', 'hex')}));
    const refused = gate.check(notHandshake, '127.0.0.1:5001');
    expect(refused).to.deep.include({ok: false, state: AuthF.AUTH_STATE.AUTH_PROTO_ERR});
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('127.0.0.1:5001').and.contain('AUTH_PROTO_ERR').and.contain(`${OBJ}.echo`);
    for (let i = 0; i < 50; i++) gate.check(authRequestFrame(authPackage(OBJ, AK, 'bad', T)), `10.0.0.1:${i}`);
    expect(lines, 'a flood within the interval logs nothing more').to.have.length(1);
    ms = 1500;
    gate.check(Buffer.from('0000000a0102030405ff', 'hex'), '10.0.0.2:1');
    expect(lines).to.have.length(2);
    expect(lines[1]).to.contain('10.0.0.2:1').and.contain('and 50 more refused');
    expect(gate).to.include({refused: 52, accepted: 1});
  });
});
