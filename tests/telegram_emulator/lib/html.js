'use strict';

/**
 * Telegram's HTML parse mode: turns `<b>x</b> &amp; y` into plain text plus message
 * entities (offsets in UTF-16 code units, as the Bot API counts them), and rejects what
 * Telegram rejects with "can't parse entities" (unsupported or unclosed tags).
 * See https://core.telegram.org/bots/api#html-style
 */

const { badRequest } = require('./errors');

const ENTITY_TYPES = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  span: 'spoiler',
  'tg-spoiler': 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const NAMED_ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"' };

const START_TAG = /^<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*\/?>/;
const END_TAG = /^<\/([a-zA-Z][a-zA-Z0-9-]*)?\s*>/;
const ATTRIBUTE = /([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
const CHAR_REFERENCE = /^&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/;

const cantParse = (detail) => badRequest(`can't parse entities: ${detail}`);

function decodeReference(name) {
  if (name[0] !== '#') {
    return NAMED_ENTITIES[name.toLowerCase()] ?? null;
  }
  const code = name[1] === 'x' || name[1] === 'X'
    ? Number.parseInt(name.slice(2), 16)
    : Number.parseInt(name.slice(1), 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : null;
}

/** Attribute values may carry character references too (`href="?a=1&amp;b=2"`). */
function decodeAttribute(value) {
  return value.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, name) => decodeReference(name) ?? whole);
}

function parseAttributes(source) {
  const attributes = {};
  for (const match of source.matchAll(ATTRIBUTE)) {
    attributes[match[1].toLowerCase()] = decodeAttribute(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

function entityFor(open, length) {
  const entity = { type: ENTITY_TYPES[open.tag], offset: open.offset, length };
  if (open.tag === 'a') {
    entity.url = open.attributes.href ?? '';
  } else if (open.tag === 'pre' && open.language) {
    entity.language = open.language;
  } else if (open.tag === 'blockquote' && 'expandable' in open.attributes) {
    entity.type = 'expandable_blockquote';
  } else if (open.tag === 'tg-emoji') {
    entity.custom_emoji_id = open.attributes['emoji-id'] ?? '';
  }
  return entity;
}

/** Parse `source` in HTML parse mode; returns `{text, entities}` or throws a 400 ApiError. */
function parseHtml(source) {
  let text = '';
  const entities = [];
  const open = [];
  const byteOffset = (index) => Buffer.byteLength(source.slice(0, index), 'utf8');
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    const rest = char === '&' || char === '<' ? source.slice(index, index + 4096) : '';
    if (char === '&') {
      const match = CHAR_REFERENCE.exec(rest);
      const decoded = match ? decodeReference(match[1]) : null;
      if (decoded === null) {
        text += '&';
        index += 1;
      } else {
        text += decoded;
        index += match[0].length;
      }
    } else if (char === '<' && source[index + 1] === '/') {
      const match = END_TAG.exec(rest);
      if (!match || open.length === 0) {
        throw cantParse(`Unexpected end tag at byte offset ${byteOffset(index)}`);
      }
      const top = open.pop();
      const name = (match[1] ?? top.tag).toLowerCase();
      if (name !== top.tag) {
        throw cantParse(
          `Unmatched end tag at byte offset ${byteOffset(index)}, expected "</${top.tag}>", found "</${name}>"`,
        );
      }
      const length = text.length - top.offset;
      if (length > 0 && !top.merged) {
        entities.push(entityFor(top, length));
      }
      index += match[0].length;
    } else if (char === '<') {
      const match = START_TAG.exec(rest);
      const tag = match ? match[1].toLowerCase() : '';
      if (!match || !(tag in ENTITY_TYPES)) {
        const shown = match ? tag : (/^<([^\s>]*)/.exec(rest)[1] ?? '');
        throw cantParse(`Unsupported start tag "${shown}" at byte offset ${byteOffset(index)}`);
      }
      const attributes = parseAttributes(match[2]);
      if (tag === 'span' && attributes.class !== 'tg-spoiler') {
        throw cantParse(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(index)}`);
      }
      const entry = { tag, attributes, offset: text.length, merged: false, language: null };
      const parent = open[open.length - 1];
      const language = /^language-(.+)$/.exec(attributes.class ?? '');
      if (tag === 'code' && parent && parent.tag === 'pre' && language) {
        parent.language = language[1];
        entry.merged = true;
      }
      open.push(entry);
      index += match[0].length;
    } else {
      text += char;
      index += 1;
    }
  }
  if (open.length > 0) {
    throw cantParse(`Can't find end tag corresponding to start tag "${open[open.length - 1].tag}"`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

module.exports = { parseHtml };
