import { randomBytes } from 'crypto';
import type { IUIKitSurfaceViewParam } from '@rocket.chat/apps-engine/definition/accessors';
import { UIKitSurfaceType } from '@rocket.chat/apps-engine/definition/uikit/IUIKitSurface';
import type { ButtonElement, LayoutBlock, PlainText } from '@rocket.chat/ui-kit';
import type { Translator } from '../i18n/translate';
import { isChangeKind } from '../operations/changeKind';
import { changeOf } from './changes';
import type { ChangeKind } from '../operations/changeKind';
import type { PlanText } from './plan';

/**
 * What a confirmation modal is about. It travels in the view's id, signed (`viewSignature.ts`), so nothing is kept
 * between opening the modal and its submission (Rocket.Chat hands the view back, not the room): the server checks the
 * signature, then re-reads and re-checks everything.
 */
export interface ConfirmTarget {
    readonly kind: ChangeKind;
    /** The room the change is for. */
    readonly roomId: string;
    /** Where the answer goes: the room the command was typed in or the button clicked in. */
    readonly originRoomId: string;
    /** What opened the modal: the change counts as made through it. */
    readonly door: 'command' | 'button';
    /** This modal's own random id: the first submit spends it (`spentViews.ts`). */
    readonly nonce: string;
    /** An undo: the record it undoes (decided again on submit). */
    readonly undoes?: string;
}

/** A new confirmation's nonce: 128 random bits, hex. */
export function newNonce(): string {
    return randomBytes(16).toString('hex');
}

/** A nonce as {@link newNonce} makes it. */
export const NONCE = /^[0-9a-f]{32}$/;

const VIEW_ID_PREFIX = 'group-admin.confirm';

export const CONFIRM_ACTION_ID = 'confirm';

export const CANCEL_ACTION_ID = 'cancel';

const DOORS: ReadonlyArray<ConfirmTarget['door']> = ['command', 'button'];

/** A confirmation modal's view id as submitted: the target, the part that is signed and its signature. */
export interface SubmittedConfirmation {
    readonly target: ConfirmTarget;
    /** What the signature is of: the view id without its last part. */
    readonly signed: string;
    readonly signature: string;
}

/**
 * What a confirmation's signature is of: `group-admin.confirm/<kind>/<room id>/<origin room id>/<door>/<nonce>`, ids
 * URI-encoded.
 */
export function signedPartOf(target: ConfirmTarget): string {
    const parts = [VIEW_ID_PREFIX, target.kind, encodeURIComponent(target.roomId), encodeURIComponent(target.originRoomId), target.door, target.nonce];
    return (target.undoes ? [...parts, `${UNDO_MARK}${encodeURIComponent(target.undoes)}`] : parts).join('/');
}

/** The optional part of an undo's view id: `undo:<record id>`. */
const UNDO_MARK = 'undo:';

/** `<signed part>/<signature>` (see `viewSignature.ts`). */
export function confirmViewId(target: ConfirmTarget, signature: string): string {
    return `${signedPartOf(target)}/${signature}`;
}

/** A view id's part, URI-decoded; '' when it is no valid URI component. */
export function decode(part: string): string {
    try {
        return decodeURIComponent(part);
    } catch {
        return '';
    }
}

/**
 * A confirmation modal's view id, parsed; undefined for anything else (another view, an id of the wrong shape). The
 * signature is not checked here (`isSignedView`).
 */
export function confirmTargetOf(viewId: unknown): SubmittedConfirmation | undefined {
    if (typeof viewId !== 'string') {
        return undefined;
    }
    const parts = viewId.split('/');
    const undoPart = parts.length === 8 ? parts[6] : undefined;
    if ((parts.length !== 7 && parts.length !== 8) || parts[0] !== VIEW_ID_PREFIX || !isChangeKind(parts[1]) || !NONCE.test(parts[5])) {
        return undefined;
    }
    const signature = parts[parts.length - 1];
    const roomId = decode(parts[2]);
    const originRoomId = decode(parts[3]);
    const door = DOORS.find((candidate) => candidate === parts[4]);
    const undoes = undoPart !== undefined && undoPart.indexOf(UNDO_MARK) === 0 ? decode(undoPart.slice(UNDO_MARK.length)) : undefined;
    if (!roomId || !originRoomId || !door || !signature || (undoPart !== undefined && !undoes)) {
        return undefined;
    }
    const target: ConfirmTarget = { kind: parts[1], roomId, originRoomId, door, nonce: parts[5], ...(undoes ? { undoes } : {}) };
    return { target, signed: parts.slice(0, parts.length - 1).join('/'), signature };
}

export const plain = (text: string): PlainText => ({ type: 'plain_text', text, emoji: true });

export function button(appId: string, actionId: string, text: string, style?: ButtonElement['style']): ButtonElement {
    return { type: 'button', appId, blockId: actionId, actionId, text: plain(text), ...(style ? { style } : {}) };
}

/**
 * The confirmation modal in the reader's language: the question, what changes and for whom, the warning, and
 * Confirm / Cancel. Confirm submits the view; Cancel closes it and changes nothing.
 */
export function confirmModal(target: ConfirmTarget, signature: string, plan: PlanText, t: Translator, appId: string): IUIKitSurfaceViewParam {
    const [change, who] = plan.lines;
    const section = (blockId: string, text: string): LayoutBlock => ({ type: 'section', appId, blockId, text: plain(text) });
    const blocks: LayoutBlock[] = [
        section('change', change),
        section('who', who),
        section('warning', `⚠️ ${plan.warning}`),
        { type: 'context', appId, blockId: 'note', elements: [plain(t('modal_note'))] },
    ];
    return {
        id: confirmViewId(target, signature),
        type: UIKitSurfaceType.MODAL,
        title: plain(plan.title),
        blocks,
        submit: button(appId, CONFIRM_ACTION_ID, t('modal_confirm'), changeOf(target.kind).risky ? 'danger' : 'primary'),
        close: button(appId, CANCEL_ACTION_ID, t('modal_cancel')),
        notifyOnClose: true,
    };
}
