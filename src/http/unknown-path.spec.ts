import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerUnknownPath } from './unknown-path';

/** A request as the hook sees it: found or not, with the 404 route's handler. */
const request = (is404: boolean, handler: () => unknown) =>
  ({ is404, server: {}, routeOptions: { handler } }) as unknown as FastifyRequest;

describe('answerUnknownPath', () => {
  const sent = jest.fn();
  const reply = () => {
    sent.mockClear();
    return { send: sent } as unknown as FastifyReply;
  };

  it('lets a routed request go on, without the not-found handler', () => {
    const handler = jest.fn();
    const done = jest.fn();
    answerUnknownPath(request(false, handler), reply(), done);
    expect([done.mock.calls.length, handler.mock.calls.length]).toEqual([1, 0]);
  });

  it('answers an unknown path with the not-found handler and stops the lifecycle there', () => {
    const r = reply();
    const done = jest.fn();
    const req = request(true, jest.fn());
    answerUnknownPath(req, r, done);
    expect(req.routeOptions.handler).toHaveBeenCalledWith(req, r);
    expect(done).not.toHaveBeenCalled();
  });

  it("sends the handler's error, thrown or rejected, as Fastify would", async () => {
    const thrown = new Error('thrown');
    const r1 = reply();
    answerUnknownPath(
      request(true, () => {
        throw thrown;
      }),
      r1,
      jest.fn(),
    );
    expect(sent).toHaveBeenCalledWith(thrown);
    const rejected = new Error('rejected');
    const r2 = reply();
    answerUnknownPath(
      request(true, () => Promise.reject(rejected)),
      r2,
      jest.fn(),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveBeenCalledWith(rejected);
  });
});
