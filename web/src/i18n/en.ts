import type { MessageKey } from './zh-CN.ts';
import { shell } from './en/shell.ts';
import { profiles } from './en/profiles.ts';
import { tags } from './en/tags.ts';
import { segments } from './en/segments.ts';

/** Every UI string in English, one file per area (each typed against its Chinese twin). */
export const en: Record<MessageKey, string> = { ...shell, ...profiles, ...tags, ...segments };
