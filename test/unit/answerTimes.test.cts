import type { IHttp, IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';
import { AnswerTimes, answerDate } from '../../src/access/answerTimes';

const answer = (headers?: Record<string, string>): IHttpResponse => ({ url: '', method: 'get' as never, statusCode: 200, headers });

describe('AnswerTimes: when Rocket.Chat answered, from the Date header', () => {
    it('reads the Date header whatever the case of its name; none or an unreadable one is no time', () => {
        expect(answerDate(answer({ date: 'Wed, 02 Dec 2026 00:40:11 GMT' }))).toBe(Date.parse('2026-12-02T00:40:11Z'));
        expect(answerDate(answer({ Date: 'Wed, 02 Dec 2026 00:40:11 GMT' }))).toBe(Date.parse('2026-12-02T00:40:11Z'));
        expect(answerDate(answer({ date: 'Invalid Date' }))).toBeUndefined();
        expect(answerDate(answer({}))).toBeUndefined();
        expect(answerDate(answer())).toBeUndefined();
        expect(answerDate(undefined)).toBeUndefined();
    });

    it('notes the latest answer per URL (query aside), once; an answer without Date forgets the earlier time', async () => {
        const replies: Array<IHttpResponse> = [
            answer({ date: 'Wed, 02 Dec 2026 00:40:11 GMT' }),
            answer({ date: 'Wed, 02 Dec 2026 00:40:12 GMT' }),
            answer({ date: 'Wed, 02 Dec 2026 00:40:13 GMT' }),
            answer({}),
        ];
        const next = async () => replies.shift() as IHttpResponse;
        const http = { get: next, post: next, put: next, del: next, patch: next } as unknown as IHttp;
        const times = new AnswerTimes();
        const wrapped = times.wrap(http);
        await wrapped.get('http://rc.test/api/v1/permissions.listAll');
        await wrapped.get('http://rc.test/api/v1/permissions.listAll?updatedSince=x');
        await wrapped.post('http://rc.test/api/v1/other');
        expect(times.take('http://rc.test/api/v1/permissions.listAll')).toBe(Date.parse('2026-12-02T00:40:12Z'));
        expect(times.take('http://rc.test/api/v1/permissions.listAll')).toBeUndefined();
        await wrapped.post('http://rc.test/api/v1/other');
        expect(times.take('http://rc.test/api/v1/other')).toBeUndefined();
    });

    it('is found from the gateway it is attached to', () => {
        const times = new AnswerTimes();
        const gateway = times.attach({});
        expect(AnswerTimes.of(gateway)).toBe(times);
        expect(AnswerTimes.of({})).toBeUndefined();
    });
});
