/**
 * Helpers of the UI engine tests: the shipped catalogs, what a run sent (messages, the modal it opened), and the texts
 * a confirmation modal and a dry run must show, built from `i18n/*.json`.
 */
import { readFileSync } from 'fs';
import path from 'path';

import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';

import { openedViews } from '../../../host/engine/EngineHost.cjs';
import type { Delivery } from '../../../host/engine/EngineHost.cjs';

export const LANGUAGES = ['en', 'pt-BR', 'es', 'de'] as const;

export type Language = (typeof LANGUAGES)[number];

const i18nDir = path.resolve(__dirname, '..', '..', '..', 'i18n');

export const catalogs = Object.fromEntries(
    LANGUAGES.map((language) => [language, JSON.parse(readFileSync(path.join(i18nDir, `${language}.json`), 'utf8')) as Record<string, string>]),
) as Record<Language, Record<string, string>>;

export type Params = Record<string, string | number>;

/** A catalog text with its `{{params}}` filled in. */
export function text(language: Language, key: string, params: Params = {}): string {
    const template = catalogs[language][key];
    if (template === undefined) {
        throw new Error(`no key ${key} in ${language}`);
    }
    return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The plans of the changes, by their key stem in the catalogs. */
export type PlanName = 'encrypt_on' | 'encrypt_off' | 'public' | 'private' | 'team';

export interface ExpectedPlan {
    title: string;
    lines: [string, string];
    warning: string;
}

export function expectedPlan(language: Language, plan: PlanName, params: Params): ExpectedPlan {
    return {
        title: text(language, `modal_title_${plan}`, params),
        lines: [text(language, `plan_${plan}_change`, params), text(language, `plan_${plan}_who`, params)],
        warning: text(language, `plan_${plan}_warning`, params),
    };
}

/** The `--dry-run` reply of a change. */
export function dryRunReply(language: Language, plan: PlanName, params: Params): string {
    const { lines, warning } = expectedPlan(language, plan, params);
    return [text(language, 'plan_dryrun_heading'), ...lines.map((line) => `• ${line}`), `⚠️ ${warning}`].join('\n');
}

export function ephemerals(run: { deliveries: Delivery[] }): Delivery[] {
    return run.deliveries.filter((d) => d.kind === 'ephemeral');
}

/** The text of the one ephemeral message of a run (fails otherwise). */
export function onlyReply(run: { deliveries: Delivery[]; error?: string }): string {
    expect(run.error).toBeUndefined();
    expect(run.deliveries.map((d) => d.kind)).toEqual(['ephemeral']);
    return run.deliveries[0].text ?? '';
}

/** The one modal a run opened, which sent nothing else (fails otherwise). */
export function onlyModal(run: { deliveries: Delivery[]; error?: string }): IUIKitSurface {
    expect(run.error).toBeUndefined();
    expect(run.deliveries.map((d) => d.kind)).toEqual(['uiInteraction']);
    const views = openedViews(run.deliveries);
    expect(views).toHaveLength(1);
    return views[0];
}

interface TextLike {
    text?: string;
}

/** The texts of a view's blocks, in order: each section's text, each context element's text. */
export function blockTexts(view: IUIKitSurface): string[] {
    return (view.blocks as unknown as Array<{ text?: TextLike; elements?: TextLike[] }>).flatMap((block) => [
        ...(block.text?.text !== undefined ? [block.text.text] : []),
        ...(block.elements ?? []).map((element) => element.text ?? ''),
    ]);
}

/** What a confirmation modal must say in `language`. */
export function expectedModalTexts(language: Language, plan: PlanName, params: Params): { title: string; blocks: string[]; confirm: string; cancel: string } {
    const expected = expectedPlan(language, plan, params);
    return {
        title: expected.title,
        blocks: [...expected.lines, `⚠️ ${expected.warning}`, text(language, 'modal_note')],
        confirm: text(language, 'modal_confirm'),
        cancel: text(language, 'modal_cancel'),
    };
}

/** A modal's title, block texts and button labels. */
export function modalTexts(view: IUIKitSurface): { title: string; blocks: string[]; confirm: string; cancel: string } {
    const label = (button: unknown): string => (button as { text?: TextLike } | undefined)?.text?.text ?? '';
    return { title: (view.title as TextLike).text ?? '', blocks: blockTexts(view), confirm: label(view.submit), cancel: label(view.close) };
}

/** A confirmation modal's view id ends with the HMAC-SHA256 (hex) of the rest. */
export const SIGNED = /^group-admin\.confirm\/.+\/[0-9a-f]{64}$/;

/** The nonce a confirmation modal's view id carries (its own random id, spent by the first submit). */
export function nonceOf(viewId: string): string {
    return viewId.split('/')[5] ?? '';
}

/** A confirmation modal's view id without its signature: what it carries. */
export function unsigned(viewId: string): string {
    return viewId.replace(/\/[0-9a-f]{64}$/, '');
}
