import { shell } from './zh-CN/shell.ts';
import { profiles } from './zh-CN/profiles.ts';
import { tags } from './zh-CN/tags.ts';
import { segments } from './zh-CN/segments.ts';

/** Every UI string in Simplified Chinese (the default), one file per area. en.ts must have exactly these keys. */
export const zhCN = { ...shell, ...profiles, ...tags, ...segments } as const;

export type MessageKey = keyof typeof zhCN;
