import type { IPersistence, IRead, IUIKitSurfaceViewParam } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { CATALOG, LANGUAGES } from '../../../src/i18n/catalog.generated';
import type { Language } from '../../../src/i18n/catalog.generated';
import { translator } from '../../../src/i18n/translate';
import type { Plan } from '../../../src/operations/types';
import { ROOM_BUTTONS, buttonChange } from '../../../src/ui/buttons';
import { CHANGE_KINDS } from '../../../src/operations/changeKind';
import { changeOf } from '../../../src/ui/changes';
import type { ChangeKind } from '../../../src/operations/changeKind';
import { confirmModal, confirmTargetOf, confirmViewId, signedPartOf } from '../../../src/ui/confirmModal';
import { isSignedView, signView } from '../../../src/ui/viewSignature';
import { describePlan, planAsChat } from '../../../src/ui/plan';

const APP_ID = 'app-id';

const SIG = 'ab'.repeat(32);

const PLAN_NAMES: Record<ChangeKind, string> = { 'encrypt-on': 'encrypt_on', 'encrypt-off': 'encrypt_off', public: 'public', private: 'private', team: 'team', unteam: 'unteam' };

function plan(kind: ChangeKind): Plan {
    return {
        operation: kind === 'team' || kind === 'unteam' ? 'convertToTeam' : kind.indexOf('encrypt') === 0 ? 'setEncrypted' : 'setType',
        room: { _id: 'R1', name: 'dev', fname: 'Dev', t: kind === 'private' ? 'c' : 'p' },
        changes: { x: { from: 1, to: 2 } },
        request: { method: 'POST', path: '/x', body: {} },
        ...(kind === 'team' ? { team: { name: 'dev-team', type: 1 as const, owner: 'u1' } } : {}),
    };
}

/** A confirmation's nonce (random in the app). */
const NONCE = '0123456789abcdef0123456789abcdef';

const fill = (template: string, params: Record<string, string | number>): string =>
    template.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => String(params[name]));

type Block = { type: string; blockId?: string; appId?: string; text?: { type: string; text: string }; elements?: Array<{ type: string; text: string }> };

function modalOf(kind: ChangeKind, language: Language): IUIKitSurfaceViewParam {
    const t = translator(language);
    return confirmModal({ kind, roomId: 'R1', originRoomId: 'R0', door: 'command', nonce: NONCE }, SIG, describePlan(kind, 'dev', plan(kind), 7, t), t, APP_ID);
}

describe('the confirmation modal', () => {
    describe.each([...LANGUAGES])('in %s', (language) => {
        const messages = CATALOG[language];
        it.each([...CHANGE_KINDS])('%s: the question, what changes, for whom, the warning, the note, Confirm and Cancel', (kind) => {
            const name = PLAN_NAMES[kind];
            const params = { room: 'dev', members: 7, team: 'dev-team' };
            const view = modalOf(kind, language);
            const blocks = view.blocks as unknown as Block[];
            expect(view.type).toBe('modal');
            expect(view.title).toEqual({ type: 'plain_text', text: fill(messages[`modal_title_${name}` as keyof typeof messages], params), emoji: true });
            expect(blocks.map((b) => [b.type, b.blockId, b.appId])).toEqual([
                ['section', 'change', APP_ID],
                ['section', 'who', APP_ID],
                ['section', 'warning', APP_ID],
                ['context', 'note', APP_ID],
            ]);
            expect(blocks.map((b) => (b.text ? b.text.text : (b.elements || []).map((e) => e.text).join('')))).toEqual([
                fill(messages[`plan_${name}_change` as keyof typeof messages], params),
                fill(messages[`plan_${name}_who` as keyof typeof messages], params),
                `⚠️ ${fill(messages[`plan_${name}_warning` as keyof typeof messages], params)}`,
                messages.modal_note,
            ]);
            expect(blocks.every((b) => (b.text ? b.text.type === 'plain_text' : true))).toBe(true);
            expect(view.submit).toEqual({
                type: 'button',
                appId: APP_ID,
                blockId: 'confirm',
                actionId: 'confirm',
                text: { type: 'plain_text', text: messages.modal_confirm, emoji: true },
                style: changeOf(kind).risky ? 'danger' : 'primary',
            });
            expect(view.close).toEqual({ type: 'button', appId: APP_ID, blockId: 'cancel', actionId: 'cancel', text: { type: 'plain_text', text: messages.modal_cancel, emoji: true } });
            expect(view.notifyOnClose).toBe(true);
        });
    });

    it('the texts differ per language (no English left in the others)', () => {
        const en = JSON.stringify(modalOf('public', 'en'));
        for (const language of LANGUAGES.filter((l) => l !== 'en')) {
            const other = modalOf('public', language);
            expect(JSON.stringify(other)).not.toBe(en);
            expect((other.title as { text: string }).text).not.toBe(CATALOG.en.modal_title_public.replace('{{room}}', 'dev'));
        }
    });

    it('the dry-run reply shows the same lines', () => {
        const t = translator('de');
        const text = describePlan('team', 'dev', plan('team'), 7, t);
        const view = modalOf('team', 'de');
        const shown = (view.blocks as unknown as Block[]).slice(0, 3).map((b) => (b.text ? b.text.text : ''));
        expect(planAsChat(text)).toBe([`• ${shown[0]}`, `• ${shown[1]}`, shown[2]].join('\n'));
    });
});

describe('the view id carries the change and the rooms, signed', () => {
    it('round trip, ids URI-encoded, the signature of the rest last', () => {
        const target = { kind: 'team' as const, roomId: 'a/b c', originRoomId: 'R0', door: 'button' as const, nonce: NONCE };
        expect(signedPartOf(target)).toBe(`group-admin.confirm/team/a%2Fb%20c/R0/button/${NONCE}`);
        expect(confirmViewId(target, SIG)).toBe(`group-admin.confirm/team/a%2Fb%20c/R0/button/${NONCE}/${SIG}`);
        expect(confirmTargetOf(confirmViewId(target, SIG))).toEqual({ target, signed: signedPartOf(target), signature: SIG });
        expect(confirmTargetOf(modalOf('public', 'en').id)).toEqual({
            target: { kind: 'public', roomId: 'R1', originRoomId: 'R0', door: 'command', nonce: NONCE },
            signed: `group-admin.confirm/public/R1/R0/command/${NONCE}`,
            signature: SIG,
        });
    });

    it.each([
        undefined,
        42,
        '',
        'x',
        'group-admin.confirm/public/R1',
        'group-admin.confirm/delete/R1/R0/command/s',
        'other/public/R1/R0/command/s',
        'group-admin.confirm/public//R0/command/s',
        'group-admin.confirm/public/%E0%A4%A/R0/command/s',
        'group-admin.confirm/public/R1/R0',
        'group-admin.confirm/public/R1/R0/command',
        'group-admin.confirm/public/R1/R0/command/',
        'group-admin.confirm/public/R1/R0/endpoint/s',
        'group-admin.confirm/public/R1/R0/command/s/extra',
    ])('anything else is not a confirmation: %p', (id) => {
        expect(confirmTargetOf(id)).toBeUndefined();
    });
});

describe('view signatures', () => {
    /** A persistence of one association, as the engine's (records in insertion order). */
    function store(): { read: IRead; persistence: IPersistence; records: unknown[] } {
        const records: unknown[] = [];
        const read = { getPersistenceReader: () => ({ readByAssociations: async () => [...records] }) } as unknown as IRead;
        const persistence = {
            createWithAssociations: async (data: unknown) => {
                records.push(data);
                return String(records.length);
            },
        } as unknown as IPersistence;
        return { read, persistence, records };
    }

    it('a per-install secret, created on first use and kept; the signature verifies only for the same payload and install', async () => {
        const { read, persistence, records } = store();
        expect(await isSignedView('p', SIG, read)).toBe(false);
        const first = await signView('group-admin.confirm/public/R1/R0/command', read, persistence);
        expect(first).toMatch(/^[0-9a-f]{64}$/);
        expect(records).toHaveLength(1);
        expect(await signView('group-admin.confirm/public/R1/R0/command', read, persistence)).toBe(first);
        expect(records).toHaveLength(1);
        expect(await isSignedView('group-admin.confirm/public/R1/R0/command', first, read)).toBe(true);
        for (const changed of ['group-admin.confirm/public/R1/R0/button', 'group-admin.confirm/public/R2/R0/command', 'group-admin.confirm/team/R1/R0/command']) {
            expect(await isSignedView(changed, first, read)).toBe(false);
        }
        expect(await isSignedView('group-admin.confirm/public/R1/R0/command', first.toUpperCase(), read)).toBe(false);
        expect(await isSignedView('group-admin.confirm/public/R1/R0/command', first.slice(0, 62), read)).toBe(false);
        const other = store();
        expect(await isSignedView('group-admin.confirm/public/R1/R0/command', await signView('x', other.read, other.persistence), read)).toBe(false);
        expect(await isSignedView('group-admin.confirm/public/R1/R0/command', first, other.read)).toBe(false);
    });

    it('two first uses at once: both signatures verify', async () => {
        const { read, persistence, records } = store();
        const [a, b] = await Promise.all([signView('a', read, persistence), signView('b', read, persistence)]);
        expect(records.length).toBeGreaterThanOrEqual(1);
        expect(await isSignedView('a', a, read)).toBe(true);
        expect(await isSignedView('b', b, read)).toBe(true);
    });
});

describe('room buttons', () => {
    const room = (encrypted?: boolean): IRoom => ({ id: 'R1', _unmappedProperties_: encrypted === undefined ? {} : { encrypted } }) as unknown as IRoom;

    it('each asks for the change of its command; "Encryption" for the other state', () => {
        expect(buttonChange('group-admin.encryption', room())).toBe('encrypt-on');
        expect(buttonChange('group-admin.encryption', room(false))).toBe('encrypt-on');
        expect(buttonChange('group-admin.encryption', room(true))).toBe('encrypt-off');
        expect(buttonChange('group-admin.make-public', room())).toBe('public');
        expect(buttonChange('group-admin.make-private', room())).toBe('private');
        expect(buttonChange('group-admin.convert-to-team', room())).toBe('team');
        expect(buttonChange('someone-else', room())).toBeUndefined();
    });

    it('are room actions for admins, owners and moderators, labelled in every language', () => {
        for (const { descriptor } of ROOM_BUTTONS) {
            expect(descriptor.context).toBe('roomAction');
            expect(descriptor.when && descriptor.when.hasOneRole).toEqual(['admin', 'owner', 'moderator']);
            expect(descriptor.when && descriptor.when.roomTypes && descriptor.when.roomTypes.length).toBeGreaterThan(0);
            for (const language of LANGUAGES) {
                expect(CATALOG[language][descriptor.labelI18n as keyof (typeof CATALOG)['en']]).toEqual(expect.any(String));
            }
        }
    });
});
