// The generated code at work: the committed torture and name-clash snapshots, imported as any user would import
// generated modules, encoding, decoding, converting to JSON, and calling a servant through a proxy in every
// protocol version.
import {expect} from 'chai';
import fc from 'fast-check';

import {
  CallContext, TarsError, TarsReader, TarsReturnCodeError, TarsWriter, readStructFields, writeStructFields,
} from '@tars-ts/core';

import {Result, Status} from '../golden/codegen/commonTars.js';
import {
  Map_, Names$Proxy, type Names$Results, NamesServant, Names_Promise as Promise_,
} from '../golden/codegen/namesTars.js';
import {
  BIG, Color, GREETING, Page, SMALL, UMAX, User, UserServiceProxy, type UserService$Results, UserServiceServant, $file,
} from '../golden/codegen/tortureTars.js';
import {LoopbackInvoker} from '../support/loopback-invoker.js';

function sampleUser(id: bigint): User {
  return User.create({
    id, name: 'ünïcode name', age: 42, level: 200, port: 8080, flags: 4294967295, active: true, score: 0.5,
    ratio: -1e300, half: 0, color: Color.BLUE, blob: Buffer.from([0, 1, 2, 255]),
    index: new Map([['a', [1, -2, 70000]], ['', []]]),
    nested: [new Map([[7, [User.create({id: 1n})]]])],
    result: Result.create({code: -5, message: 'bad'}), status: Status.UNKNOWN, maxTag: 32767, b: -128,
    l: -(2n ** 63n),
  });
}

describe('generated code at run time', () => {
  describe('structs', () => {
    it('create() applies every IDL default', () => {
      const u = User.create();
      expect(u).to.include({id: 0n, name: 'anon', age: -1, level: 255, port: 0xffff, flags: 0x7fffffff,
        active: false, score: 2.5, ratio: 1e10, half: 1, color: Color.GREEN, color2: Color.BLUE, color3: Color.NEG,
        color4: 6, status: Status.FAILED, maxTag: -32768, b: 0x7f, l: 15n});
      expect(u.result).to.deep.equal({code: 0, message: 'ok'});
      expect(u.blob).to.have.length(0);
      expect(u.index.size).to.equal(0);
      expect(User.create({age: 3}).age).to.equal(3);
    });

    it('consts and enums carry the IDL values', () => {
      expect(Color).to.deep.equal({RED: 0, GREEN: 5, BLUE: 6, ALIAS: 0, NEG: -3, HEX: 31, OCT: 15, NEXT: 16});
      expect(BIG).to.equal(-(2n ** 63n));
      expect(UMAX).to.equal(4294967295);
      expect(GREETING).to.equal('tab\there "quoted" AA back\\slash\n');
      expect(SMALL).to.equal(0.0015);
      expect($file.consts.map((c) => c.name)).to.include.members(['MAX_USERS', 'BIG', 'PI']);
    });

    it('encode/decode round-trips every field type, recursion included', () => {
      const u = sampleUser(2n ** 62n);
      const back = User.decode(User.encode(u));
      expect(back).to.deep.equal(u);
    });

    it('compiled and descriptor-driven paths give the same bytes and values (property)', () => {
      const generic = {...User.$def, writeFields: undefined, readFields: undefined};
      fc.assert(fc.property(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), fc.string(), fc.integer(),
        (id, name, age) => {
          const u = {...sampleUser(id), name, age};
          const w = new TarsWriter();
          writeStructFields(w, generic, u);
          const viaDescriptor = Buffer.from(w.toBuffer());
          expect(viaDescriptor.equals(User.encode(u))).to.equal(true);
          expect(readStructFields(new TarsReader(viaDescriptor), generic)).to.deep.equal(User.decode(viaDescriptor));
        }), {numRuns: 100});
    });

    it('an absent optional struct field reads as its default; an absent required one is an error', () => {
      const w = new TarsWriter();
      w.writeInt64(0, 9n);
      w.writeString(1, 'n');
      const u = User.decode(w.toBuffer());
      expect(u.id).to.equal(9n);
      expect(u.age).to.equal(-1);
      expect(u.result).to.deep.equal({code: 0, message: 'ok'});
      expect(() => Page.decode(Buffer.alloc(0))).to.throw(TarsError).with.property('code', 'DECODE_REQUIRE_MISSING');
    });

    it('toJSON/fromJSON round-trip with long as string, bytes as base64, enums by name', () => {
      const u = sampleUser(-(2n ** 63n));
      const json = User.toJSON(u) as Record<string, unknown>;
      expect(json.id).to.equal('-9223372036854775808');
      expect(json.flags).to.equal('4294967295');
      expect(json.blob).to.equal('AAEC/w==');
      expect(json.color).to.equal('BLUE');
      expect(json.status).to.equal('UNKNOWN');
      expect(json.index).to.deep.equal({'a': [1, -2, 70000], '': []});
      expect(json.nested).to.deep.equal([{7: [User.toJSON(User.create({id: 1n}))]}]);
      const back = User.fromJSON(JSON.parse(JSON.stringify(json)));
      expect(back).to.deep.equal(u);
    });

    it('fromJSON names the path of a bad value and refuses unknown fields', () => {
      expect(() => User.fromJSON({id: 1, level: 300})).to.throw(/level: expected unsigned byte/);
      expect(() => User.fromJSON({id: 1, nested: [{x: []}]})).to.throw(/nested\[0\]\.<key x>/);
      expect(() => User.fromJSON({id: 1, nmae: 'typo'})).to.throw(/no field "nmae"/);
      expect(() => User.fromJSON({id: 2 ** 60})).to.throw(/pass the value as a string/);
    });
  });

  describe('names that clash with JavaScript', () => {
    it('a field named __proto__ is an own field and never touches the prototype', () => {
      const p = Promise_.create({['__proto__']: 'value', constructor: 3, toString: 's', kind: Map_.prototype});
      const back = Promise_.decode(Promise_.encode(p));
      expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
      expect(Object.hasOwn(back, '__proto__')).to.equal(true);
      expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).to.equal('value');
      expect(back.constructor).to.equal(3);
      expect(Promise_.fromJSON(Promise_.toJSON(back))).to.deep.equal(back);
    });

    it('operations named constructor/delete/toString keep their wire names', async () => {
      class Impl extends NamesServant {
        constructor_(cls: string, dflt: number): Names$Results['constructor'] {
          return {ret_: cls.length + dflt, ret: 7};
        }

        delete(fn: Promise_): Names$Results['delete'] {
          return {['__proto__']: fn.toString};
        }

        toString_(): Names$Results['toString'] {
          return {ret: 'named toString'};
        }
      }
      const invoker = new LoopbackInvoker(new Impl());
      const proxy = new Names$Proxy(invoker);
      expect(await proxy.constructor_('abc', 10)).to.deep.equal({ret_: 13, ret: 7});
      const deleted = await proxy.delete(Promise_.create({toString: 'x', constructor: 0}));
      expect(Object.getOwnPropertyDescriptor(deleted, '__proto__')?.value).to.equal('x');
      expect(await proxy.toString_()).to.deep.equal({ret: 'named toString'});
      expect(invoker.calls.map((c) => c.func)).to.deep.equal(['constructor', 'delete', 'toString']);
    });
  });

  describe('proxy -> servant', () => {
    class UserServiceImpl extends UserServiceServant {
      readonly seen: CallContext[] = [];

      getUser(id: bigint, ctx: CallContext): UserService$Results['getUser'] {
        this.seen.push(ctx);
        if (id < 0n) throw new TarsReturnCodeError(-9, 'pretend overload');
        if (id === 0n) throw new Error('no user 0');
        return {ret: 0, user: sampleUser(id)};
      }

      async ping(): Promise<void> {}

      async find(shardKey: string, limit: number): Promise<UserService$Results['find']> {
        const users = Array.from({length: limit}, (_, i) => User.create({id: BigInt(i), name: shardKey}));
        return {ret: Result.create({code: limit}), users, total: limit * 10};
      }

      colors(): UserService$Results['colors'] {
        return {ret: new Map([['sky', Color.BLUE], ['grass', Color.GREEN]])};
      }
    }

    for (const version of [1, 2, 3, 5]) {
      it(`returns values and out-parameters in protocol version ${version}`, async () => {
        const impl = new UserServiceImpl();
        const proxy = new UserServiceProxy(new LoopbackInvoker(impl, version));
        const got = await proxy.getUser(123456789012345n);
        expect(got.ret).to.equal(0);
        expect(got.user).to.deep.equal(sampleUser(123456789012345n));
        expect(impl.seen[0]?.version).to.equal(version);
        const found = await proxy.find('shard-7', 3);
        expect(found.ret).to.deep.equal({code: 3, message: 'ok'});
        expect(found.users.map((u) => u.name)).to.deep.equal(['shard-7', 'shard-7', 'shard-7']);
        expect(found.total).to.equal(30);
        expect(await proxy.ping()).to.deep.equal({});
        expect((await proxy.colors()).ret).to.deep.equal(new Map([['sky', Color.BLUE], ['grass', Color.GREEN]]));
      });
    }

    it('maps failures to TARS codes: thrown errors -99, TarsErrors their own code, unknown functions -3', async () => {
      const impl = new UserServiceImpl();
      const invoker = new LoopbackInvoker(impl);
      const proxy = new UserServiceProxy(invoker);
      const codeOf = async (p: Promise<unknown>): Promise<number> => {
        try {
          await p;
        } catch (error) {
          return (error as TarsReturnCodeError).returnCode;
        }
        return 0;
      };
      expect(await codeOf(proxy.getUser(0n))).to.equal(-99);
      expect(invoker.calls.at(-1)?.sResultDesc).to.equal('no user 0');
      expect(await codeOf(proxy.getUser(-1n))).to.equal(-9);
      const ctx = new CallContext({servant: 'S', func: 'nope', requestId: 1, version: 1, oneway: false,
        messageType: 0, context: new Map(), status: new Map()});
      const noFunc = await impl.$dispatch(ctx, new Uint8Array(0));
      expect(noFunc.iRet).to.equal(-3);
      expect(noFunc.sResultDesc).to.match(/no function "nope" in Torture\.UserService/);
      const badArgs = await impl.$dispatch(new CallContext({...ctx, func: 'getUser'}), Buffer.from('16017a', 'hex'));
      expect(badArgs.iRet).to.equal(-1);
    });

    it('the request sBuffer of a TARS call puts in-arguments at their positional tags', async () => {
      const invoker = new LoopbackInvoker(new UserServiceImpl());
      await new UserServiceProxy(invoker).find('k', 2);
      const r = new TarsReader(invoker.calls[0]!.sBuffer);
      expect(r.readString(1, true)).to.equal('k');
      expect(r.readInt32(2, true)).to.equal(2);
      expect(r.remaining).to.equal(0);
    });

    it('refuses a call with the wrong number of arguments before sending', async () => {
      const invoker = new LoopbackInvoker(new UserServiceImpl());
      const proxy = new UserServiceProxy(invoker);
      const untyped = proxy as unknown as {find: (...a: unknown[]) => Promise<unknown>};
      await untyped.find('only one').then(() => expect.fail('should reject'), (error: TarsError) => {
        expect(error.code).to.equal('ENCODE_BAD_VALUE');
        expect(error.message).to.match(/find takes 2 argument\(s\) \(string shardKey, int limit\), got 1/);
      });
      await untyped.find('k', 'not a number').then(() => expect.fail('should reject'), (error: TarsError) => {
        expect(error.message).to.match(/^find: argument limit \(int\): tag 2: expected a int/);
      });
      expect(invoker.calls).to.have.length(0);
    });
  });
});
