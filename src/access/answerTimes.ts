import type { IHttp, IHttpRequest, IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';

type Method = 'get' | 'post' | 'put' | 'del' | 'patch';

/** The `Date` header of an answer, in ms; undefined when there is none or it cannot be read. */
export function answerDate(response: IHttpResponse | undefined): number | undefined {
    const headers = response && response.headers;
    if (!headers || typeof headers !== 'object') {
        return undefined;
    }
    const key = Object.keys(headers).find((name) => name.toLowerCase() === 'date');
    const value = key === undefined ? undefined : headers[key];
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return isNaN(ms) ? undefined : ms;
}

/** The answer times of the gateways that read through `AnswerTimes.wrap` (see `attach`). */
const attached = new WeakMap<object, AnswerTimes>();

/**
 * When Rocket.Chat answered: the `Date` header of each answer that came through `wrap(http)`, per URL (without its
 * query). Rocket.Chat's REST API runs on Node's http server, which sends `Date` with every response
 * (`ServerResponse.sendDate`, on by default); the Apps-Engine's HTTP bridge (`AppHttpBridge.call`) hands the headers
 * to the app.
 *
 * One per operation context. The workspace gateway's answers carry no headers, so the HTTP accessor the gateway uses
 * is wrapped, and the gateway is attached to what the wrapper notes (`AnswerTimes.of(gateway)`).
 */
export class AnswerTimes {
    /** The answer times of `gateway`, when it was attached; undefined otherwise. */
    public static of(gateway: object): AnswerTimes | undefined {
        return attached.get(gateway);
    }

    private readonly times = new Map<string, number>();

    /** Attaches these answer times to `gateway` (which reads through `this.wrap(http)`); returns the gateway. */
    public attach<T extends object>(gateway: T): T {
        attached.set(gateway, this);
        return gateway;
    }

    /** `http`, noting the `Date` header of every answer. */
    public wrap(http: IHttp): IHttp {
        const noting = (method: Method) => async (url: string, options?: IHttpRequest): Promise<IHttpResponse> => {
            const answer = await http[method](url, options);
            const at = answerDate(answer);
            const key = AnswerTimes.keyOf(url);
            if (at === undefined) {
                this.times.delete(key);
            } else {
                this.times.set(key, at);
            }
            return answer;
        };
        return { get: noting('get'), post: noting('post'), put: noting('put'), del: noting('del'), patch: noting('patch') };
    }

    /** The time of the latest answer from `url` (any query), forgotten once taken; undefined when it had no `Date`. */
    public take(url: string): number | undefined {
        const key = AnswerTimes.keyOf(url);
        const at = this.times.get(key);
        this.times.delete(key);
        return at;
    }

    private static keyOf(url: string): string {
        const query = url.indexOf('?');
        return query < 0 ? url : url.slice(0, query);
    }
}
