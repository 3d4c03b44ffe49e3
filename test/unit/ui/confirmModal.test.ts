import type { IUIKitSurfaceViewParam } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { CATALOG, LANGUAGES } from '../../../src/i18n/catalog.generated';
import type { Language } from '../../../src/i18n/catalog.generated';
import { translator } from '../../../src/i18n/translate';
import type { Plan } from '../../../src/operations/types';
import { ROOM_BUTTONS, buttonChange } from '../../../src/ui/buttons';
import { CHANGE_KINDS, changeOf } from '../../../src/ui/changes';
import type { ChangeKind } from '../../../src/ui/changes';
import { confirmModal, confirmTargetOf, confirmViewId } from '../../../src/ui/confirmModal';
import { describePlan, planAsChat } from '../../../src/ui/plan';

const APP_ID = 'app-id';

const PLAN_NAMES: Record<ChangeKind, string> = { 'encrypt-on': 'encrypt_on', 'encrypt-off': 'encrypt_off', public: 'public', private: 'private', team: 'team' };

function plan(kind: ChangeKind): Plan {
    return {
        operation: kind === 'team' ? 'convertToTeam' : kind.indexOf('encrypt') === 0 ? 'setEncrypted' : 'setType',
        room: { _id: 'R1', name: 'dev', fname: 'Dev', t: kind === 'private' ? 'c' : 'p' },
        changes: { x: { from: 1, to: 2 } },
        request: { method: 'POST', path: '/x', body: {} },
        ...(kind === 'team' ? { team: { name: 'dev-team', type: 1 as const, owner: 'u1' } } : {}),
    };
}

const fill = (template: string, params: Record<string, string | number>): string =>
    template.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => String(params[name]));

type Block = { type: string; blockId?: string; appId?: string; text?: { type: string; text: string }; elements?: Array<{ type: string; text: string }> };

function modalOf(kind: ChangeKind, language: Language): IUIKitSurfaceViewParam {
    const t = translator(language);
    return confirmModal({ kind, roomId: 'R1', originRoomId: 'R0', door: 'command' }, describePlan(kind, 'dev', plan(kind), 7, t), t, APP_ID);
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

describe('the view id carries the change and the rooms', () => {
    it('round trip, ids URI-encoded', () => {
        const target = { kind: 'team' as const, roomId: 'a/b c', originRoomId: 'R0', door: 'button' as const };
        expect(confirmViewId(target)).toBe('group-admin.confirm/team/a%2Fb%20c/R0/button');
        expect(confirmTargetOf(confirmViewId(target))).toEqual(target);
        expect(confirmTargetOf(modalOf('public', 'en').id)).toEqual({ kind: 'public', roomId: 'R1', originRoomId: 'R0', door: 'command' });
    });

    it.each([undefined, 42, '', 'x', 'group-admin.confirm/public/R1', 'group-admin.confirm/delete/R1/R0', 'other/public/R1/R0', 'group-admin.confirm/public//R0', 'group-admin.confirm/public/%E0%A4%A/R0', 'group-admin.confirm/public/R1/R0', 'group-admin.confirm/public/R1/R0/endpoint', 'group-admin.confirm/public/R1/R0/command/extra'])(
        'anything else is not a confirmation: %p',
        (id) => {
            expect(confirmTargetOf(id)).toBeUndefined();
        },
    );
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
