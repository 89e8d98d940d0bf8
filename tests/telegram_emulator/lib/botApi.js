'use strict';

/**
 * The Bot API methods the emulator answers, as `name -> handler(bot, params, context)`.
 * A handler returns the `result` of `{"ok": true, "result": ...}` or throws an ApiError.
 * Shapes follow https://core.telegram.org/bots/api so python-telegram-bot 22 parses them.
 */

const path = require('node:path');
const { ApiError, badRequest } = require('./errors');
const { parseHtml } = require('./html');
const { imageInfo, MIME_TYPES } = require('./media');
const { has, integer, string, boolean, json } = require('./params');
const { unixTime } = require('./store');
const { startDelivery } = require('./webhook');
const business = require('./business');

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_LIMIT = 64;
const LONG_POLL_LIMIT_S = 50;
const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);
const BUTTON_ACTIONS = [
  'callback_data', 'url', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'callback_game', 'pay', 'web_app', 'copy_text',
];
const NOT_MODIFIED = 'message is not modified: specified new message content and reply markup '
  + 'are exactly the same as a current content and reply markup of the message';

// -- shared pieces -----------------------------------------------------------------------

/** Text or caption after parse mode; `{text, entities}` or a 400 like Telegram's. */
function formatText(raw, params, { limit, tooLong, entitiesField }) {
  const parseMode = string(params, 'parse_mode', { fallback: '' });
  let parsed;
  if (parseMode.toLowerCase() === 'html') {
    parsed = parseHtml(raw);
  } else if (parseMode === '' || ['markdown', 'markdownv2'].includes(parseMode.toLowerCase())) {
    // Markdown is passed through unparsed: the bot under test uses HTML.
    parsed = { text: raw, entities: json(params, entitiesField, []) };
  } else {
    throw badRequest(`unsupported parse_mode "${parseMode}"`);
  }
  if (parsed.text.length > limit) {
    throw badRequest(tooLong);
  }
  return parsed;
}

function messageText(params) {
  const raw = string(params, 'text', { fallback: '' });
  const parsed = formatText(raw, params, {
    limit: TEXT_LIMIT, tooLong: 'message is too long', entitiesField: 'entities',
  });
  if (parsed.text.trim() === '') {
    throw badRequest('message text is empty');
  }
  const content = { text: parsed.text };
  if (parsed.entities.length > 0) {
    content.entities = parsed.entities;
  }
  return content;
}

function messageCaption(params) {
  if (!has(params, 'caption')) {
    return {};
  }
  const parsed = formatText(string(params, 'caption'), params, {
    limit: CAPTION_LIMIT, tooLong: 'message caption is too long', entitiesField: 'caption_entities',
  });
  const content = { caption: parsed.text };
  if (parsed.entities.length > 0) {
    content.caption_entities = parsed.entities;
  }
  return content;
}

/** reply_markup, checked the way Telegram checks inline keyboards; null when absent. */
function replyMarkup(params) {
  const markup = json(params, 'reply_markup');
  if (markup === undefined) {
    return null;
  }
  if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  if ('inline_keyboard' in markup) {
    const rows = markup.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    for (const button of rows.flat()) {
      if (!button || !button.text || !BUTTON_ACTIONS.some((field) => field in button)) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if ('callback_data' in button) {
        const size = Buffer.byteLength(String(button.callback_data), 'utf8');
        if (size < 1 || size > CALLBACK_DATA_LIMIT) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
      }
    }
  }
  return markup;
}

function inlineOnly(markup) {
  return markup && markup.inline_keyboard ? markup : undefined;
}

function replyTo(chat, params) {
  const reply = json(params, 'reply_parameters')
    ?? (has(params, 'reply_to_message_id') ? { message_id: integer(params, 'reply_to_message_id') } : null);
  if (!reply) {
    return { content: {}, messageId: null };
  }
  const target = chat.messages.get(Number(reply.message_id));
  if (!target) {
    if (reply.allow_sending_without_reply || boolean(params, 'allow_sending_without_reply')) {
      return { content: {}, messageId: null };
    }
    throw badRequest('message to be replied not found');
  }
  const { reply_to_message: _nested, ...shallow } = target;
  return { content: { reply_to_message: shallow }, messageId: target.message_id };
}

/** The uploaded bytes (multipart or attach://) or an already stored file for `name`. */
function inputFile(bot, params, files, name) {
  const byField = (field) => files.find((file) => file.fieldname === field);
  let upload = byField(name);
  const value = string(params, name, { fallback: '' });
  if (!upload && value.startsWith('attach://')) {
    upload = byField(value.slice('attach://'.length));
  }
  if (upload) {
    return { upload: { bytes: upload.buffer, fileName: upload.originalname, mimeType: upload.mimetype } };
  }
  if (value === '') {
    throw badRequest(`there is no ${name} in the request`);
  }
  if (/^https?:\/\//i.test(value)) {
    throw badRequest('failed to get HTTP URL content (the emulator does not fetch URLs: upload the bytes)');
  }
  if (!bot.files.has(value)) {
    throw badRequest('wrong file identifier/HTTP URL specified');
  }
  return { stored: bot.files.get(value) };
}

function fileView(file) {
  const { bytes: _bytes, ...view } = file;
  return view;
}

function messageIdOf(params) {
  if (has(params, 'inline_message_id')) {
    throw badRequest('inline messages are not emulated');
  }
  return integer(params, 'message_id', { required: true });
}

function sameJson(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function setOrDelete(target, field, value) {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    delete target[field];
  } else {
    target[field] = value;
  }
}

function markEdited(bot, chat, message, record) {
  message.edit_date = unixTime();
  record.edit_count += 1;
  record.edited_at_ms = Date.now();
  bot.changed(chat.id);
  return message;
}

// -- sending -----------------------------------------------------------------------------

function sendMessage(bot, params) {
  if (has(params, 'business_connection_id')) {
    return business.sendBusinessMessage(bot, params, messageText(params), replyMarkup(params));
  }
  const chat = bot.sendTarget(params.chat_id);
  const content = messageText(params);
  const markup = replyMarkup(params);
  const reply = replyTo(chat, params);
  return bot.recordMessage(chat, 'sendMessage', { ...content, ...reply.content }, markup, {
    kind: 'text',
    text: string(params, 'text'),
    parse_mode: string(params, 'parse_mode', { fallback: null }),
    reply_to_message_id: reply.messageId,
  });
}

/** The photo in `params[name]`: a new upload (stored, must be an image) or a known file. */
function photoContent(bot, params, files, name) {
  const input = inputFile(bot, params, files, name);
  let file = input.stored;
  if (input.upload) {
    const info = imageInfo(input.upload.bytes);
    if (!info) {
      throw badRequest('IMAGE_PROCESS_FAILED');
    }
    file = bot.storeFile(input.upload.bytes, {
      kind: 'photo', extension: info.format, mimeType: MIME_TYPES[info.format],
    });
    file.width = info.width;
    file.height = info.height;
  }
  const photo = [{
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    width: file.width ?? 0,
    height: file.height ?? 0,
  }];
  return { file, content: { photo } };
}

/** The document in `params[name]`: a new upload (stored) or a known file. */
function documentContent(bot, params, files, name) {
  const input = inputFile(bot, params, files, name);
  let file = input.stored;
  if (input.upload) {
    const fileName = input.upload.fileName || 'file';
    const extension = path.extname(fileName).slice(1) || 'bin';
    file = bot.storeFile(input.upload.bytes, {
      kind: 'document', extension, fileName, mimeType: input.upload.mimeType || 'application/octet-stream',
    });
  }
  const document = {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    file_name: file.file_name,
    mime_type: file.mime_type,
  };
  return { file, content: { document } };
}

const MEDIA = { photo: photoContent, document: documentContent };

function sendMedia(kind, method) {
  return (bot, params, { files }) => {
    const chat = bot.sendTarget(params.chat_id);
    const { file, content } = MEDIA[kind](bot, params, files, kind);
    const caption = messageCaption(params);
    const markup = replyMarkup(params);
    const reply = replyTo(chat, params);
    return bot.recordMessage(chat, method, { ...content, ...caption, ...reply.content }, markup, {
      kind,
      caption: string(params, 'caption', { fallback: null }),
      parse_mode: string(params, 'parse_mode', { fallback: null }),
      reply_to_message_id: reply.messageId,
      file: fileView(file),
    });
  };
}

const sendPhoto = sendMedia('photo', 'sendPhoto');
const sendDocument = sendMedia('document', 'sendDocument');

function sendChatAction(bot, params) {
  const chat = bot.sendTarget(params.chat_id);
  const action = string(params, 'action', { required: true });
  if (!CHAT_ACTIONS.has(action)) {
    throw badRequest('wrong parameter action in request');
  }
  chat.actions.push({ action, at_ms: Date.now() });
  bot.changed(chat.id);
  return true;
}

/**
 * A draft streamed to a private chat while the answer is written (Bot API 9.3/10.0): an
 * ephemeral preview, not a message. `text` is 0-4,096 characters after parsing (empty
 * shows a "Thinking..." placeholder); drafts with the same non-zero `draft_id` animate
 * into one another. Recorded in the chat's `drafts` with the sequence shared with messages.
 */
function sendMessageDraft(bot, params) {
  const chat = bot.sendTarget(params.chat_id);
  const draftId = integer(params, 'draft_id', { required: true });
  if (draftId === 0) {
    throw badRequest('DRAFT_ID_INVALID');
  }
  const raw = string(params, 'text', { fallback: '' });
  const parsed = formatText(raw, params, {
    limit: TEXT_LIMIT, tooLong: 'message is too long', entitiesField: 'entities',
  });
  chat.drafts.push({
    draft_id: draftId,
    text: raw,
    parse_mode: string(params, 'parse_mode', { fallback: null }),
    plain_text: parsed.text,
    entities: parsed.entities,
    sent_at_ms: Date.now(),
    sequence: bot.nextSequence(),
  });
  bot.changed(chat.id);
  return true;
}

// -- editing -----------------------------------------------------------------------------

function editMessageText(bot, params) {
  const chat = bot.sendTarget(params.chat_id);
  const { message, record } = bot.botMessage(chat, messageIdOf(params), 'message to edit not found');
  if (!('text' in message)) {
    throw badRequest('there is no text in the message to edit');
  }
  const content = messageText(params);
  const markup = replyMarkup(params);
  if (message.text === content.text && sameJson(message.entities, content.entities)
    && sameJson(message.reply_markup, inlineOnly(markup))) {
    throw badRequest(NOT_MODIFIED);
  }
  message.text = content.text;
  setOrDelete(message, 'entities', content.entities);
  setOrDelete(message, 'reply_markup', inlineOnly(markup));
  Object.assign(record, {
    text: string(params, 'text'),
    parse_mode: string(params, 'parse_mode', { fallback: null }),
    plain_text: content.text,
    entities: content.entities ?? [],
    reply_markup: markup,
  });
  return markEdited(bot, chat, message, record);
}

function editMessageCaption(bot, params) {
  const chat = bot.sendTarget(params.chat_id);
  const { message, record } = bot.botMessage(chat, messageIdOf(params), 'message to edit not found');
  if (!message.photo && !message.document) {
    throw badRequest('there is no caption in the message to edit');
  }
  const content = messageCaption(params);
  const markup = replyMarkup(params);
  if (message.caption === content.caption && sameJson(message.caption_entities, content.caption_entities)
    && sameJson(message.reply_markup, inlineOnly(markup))) {
    throw badRequest(NOT_MODIFIED);
  }
  setOrDelete(message, 'caption', content.caption);
  setOrDelete(message, 'caption_entities', content.caption_entities);
  setOrDelete(message, 'reply_markup', inlineOnly(markup));
  Object.assign(record, {
    caption: string(params, 'caption', { fallback: null }),
    parse_mode: string(params, 'parse_mode', { fallback: null }),
    plain_text: content.caption ?? null,
    entities: content.caption_entities ?? [],
    reply_markup: markup,
  });
  return markEdited(bot, chat, message, record);
}

function editMessageReplyMarkup(bot, params) {
  const chat = bot.sendTarget(params.chat_id);
  const { message, record } = bot.botMessage(chat, messageIdOf(params), 'message to edit not found');
  const markup = replyMarkup(params);
  if (sameJson(message.reply_markup, inlineOnly(markup))) {
    throw badRequest(NOT_MODIFIED);
  }
  setOrDelete(message, 'reply_markup', inlineOnly(markup));
  record.reply_markup = markup;
  return markEdited(bot, chat, message, record);
}

/** Replaces a photo or document (and its caption) with a new one: say, another chart. */
function editMessageMedia(bot, params, { files }) {
  const chat = bot.sendTarget(params.chat_id);
  const { message, record } = bot.botMessage(chat, messageIdOf(params), 'message to edit not found');
  const media = json(params, 'media');
  if (!media || typeof media !== 'object' || !(media.type in MEDIA)) {
    throw badRequest('media type must be "photo" or "document" (the others are not emulated)');
  }
  if (!message.photo && !message.document) {
    throw badRequest('there is no media in the message to edit');
  }
  const mediaParams = { ...media, [media.type]: media.media };
  const { file, content } = MEDIA[media.type](bot, mediaParams, files, media.type);
  const caption = messageCaption(mediaParams);
  const markup = replyMarkup(params);
  const previous = message.photo ? message.photo[0].file_id : message.document.file_id;
  if (previous === file.file_id && message.caption === caption.caption
    && sameJson(message.caption_entities, caption.caption_entities)
    && sameJson(message.reply_markup, inlineOnly(markup))) {
    throw badRequest(NOT_MODIFIED);
  }
  delete message.photo;
  delete message.document;
  Object.assign(message, content);
  setOrDelete(message, 'caption', caption.caption);
  setOrDelete(message, 'caption_entities', caption.caption_entities);
  setOrDelete(message, 'reply_markup', inlineOnly(markup));
  Object.assign(record, {
    kind: media.type,
    file: fileView(file),
    caption: string(mediaParams, 'caption', { fallback: null }),
    parse_mode: string(mediaParams, 'parse_mode', { fallback: null }),
    plain_text: caption.caption ?? null,
    entities: caption.caption_entities ?? [],
    reply_markup: markup,
  });
  return markEdited(bot, chat, message, record);
}

function deleteMessage(bot, params) {
  const chat = bot.chat(params.chat_id);
  const messageId = integer(params, 'message_id', { required: true });
  if (!chat.messages.has(messageId)) {
    throw badRequest('message to delete not found');
  }
  chat.messages.delete(messageId);
  const record = chat.botMessages.find((r) => r.message_id === messageId);
  if (record) {
    record.deleted = true;
  }
  bot.changed(chat.id);
  return true;
}

function answerCallbackQuery(bot, params) {
  const id = string(params, 'callback_query_id', { required: true });
  const press = bot.callbackQueries.get(id);
  if (!press || press.answered) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  const text = string(params, 'text', { fallback: null });
  if (text !== null && text.length > 200) {
    throw badRequest('MESSAGE_TOO_LONG');
  }
  Object.assign(press, {
    answered: true,
    answer_text: text,
    show_alert: boolean(params, 'show_alert'),
    url: string(params, 'url', { fallback: null }),
    answered_at_ms: Date.now(),
  });
  bot.changed(press.chat_id);
  return true;
}

// -- updates and webhook -----------------------------------------------------------------

function getUpdates(bot, params, { res }) {
  if (bot.webhook) {
    throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
      + 'use deleteWebhook to delete the webhook first');
  }
  const limit = Math.min(Math.max(integer(params, 'limit', { fallback: 100 }), 1), 100);
  const timeout = Math.min(Math.max(integer(params, 'timeout', { fallback: 0 }), 0), LONG_POLL_LIMIT_S);
  const allowed = json(params, 'allowed_updates');
  if (Array.isArray(allowed)) {
    bot.allowedUpdates = allowed;
  }
  bot.confirm(integer(params, 'offset', { fallback: 0 }));
  if (bot.poller) {
    bot.poller.terminate();
  }
  if (bot.updates.length > 0 || timeout === 0) {
    return bot.updates.slice(0, limit);
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const poller = {};
    const finish = (error) => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      bot.off('update', onUpdate);
      res.off('close', onClose);
      if (bot.poller === poller) {
        bot.poller = null;
      }
      if (error) {
        reject(error);
      } else {
        resolve(bot.updates.slice(0, limit));
      }
    };
    const onUpdate = () => finish(null);
    const onClose = () => finish(null);
    const timer = setTimeout(onUpdate, timeout * 1000);
    poller.terminate = () => finish(new ApiError(409, 'Conflict: terminated by other getUpdates request; '
      + 'make sure that only one bot instance is running'));
    bot.poller = poller;
    bot.on('update', onUpdate);
    res.on('close', onClose);
  });
}

function setWebhook(bot, params) {
  const url = string(params, 'url', { fallback: '' });
  if (url === '') {
    return deleteWebhook(bot, params);
  }
  try {
    new URL(url); // eslint-disable-line no-new
  } catch {
    throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
  }
  const secretToken = string(params, 'secret_token', { fallback: null });
  if (secretToken !== null && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
    throw badRequest('secret token contains unallowed characters');
  }
  if (boolean(params, 'drop_pending_updates')) {
    bot.updates = [];
  }
  const allowed = json(params, 'allowed_updates');
  if (Array.isArray(allowed)) {
    bot.allowedUpdates = allowed;
  }
  if (bot.poller) {
    bot.poller.terminate();
  }
  bot.webhook = {
    url,
    secret_token: secretToken,
    max_connections: integer(params, 'max_connections', { fallback: 40 }),
  };
  bot.webhookError = null;
  startDelivery(bot);
  return true;
}

function deleteWebhook(bot, params) {
  bot.webhook = null;
  if (boolean(params, 'drop_pending_updates')) {
    bot.updates = [];
  }
  return true;
}

function getWebhookInfo(bot) {
  const info = {
    url: bot.webhook ? bot.webhook.url : '',
    has_custom_certificate: false,
    pending_update_count: bot.updates.length,
  };
  if (bot.webhook) {
    info.max_connections = bot.webhook.max_connections;
    if (bot.allowedUpdates.length > 0) {
      info.allowed_updates = bot.allowedUpdates;
    }
  }
  if (bot.webhookError) {
    info.last_error_date = bot.webhookError.date;
    info.last_error_message = bot.webhookError.message;
  }
  return info;
}

// -- commands, files, chats, identity ----------------------------------------------------

function commandKey(params) {
  const scope = json(params, 'scope', { type: 'default' });
  const language = string(params, 'language_code', { fallback: '' });
  if (language !== '' && !/^[a-z]{2}$/.test(language)) {
    throw badRequest('invalid language code specified');
  }
  return { scope, language, key: `${JSON.stringify(scope)}|${language}` };
}

function setMyCommands(bot, params) {
  const commands = json(params, 'commands', []);
  if (!Array.isArray(commands) || commands.length > 100) {
    throw badRequest('too many commands specified');
  }
  for (const command of commands) {
    if (!command || !/^[a-z0-9_]{1,32}$/.test(String(command.command))) {
      throw badRequest('BOT_COMMAND_INVALID');
    }
    const description = String(command.description ?? '');
    if (description.trim().length === 0 || description.length > 256) {
      throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    }
  }
  const { scope, language, key } = commandKey(params);
  bot.commands.set(key, { scope, language_code: language, commands, set_at_ms: Date.now() });
  return true;
}

function getMyCommands(bot, params) {
  const entry = bot.commands.get(commandKey(params).key);
  return entry ? entry.commands : [];
}

function deleteMyCommands(bot, params) {
  bot.commands.delete(commandKey(params).key);
  return true;
}

function getFile(bot, params) {
  const file = bot.file(string(params, 'file_id', { required: true }));
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    file_path: file.file_path,
  };
}

function getChat(bot, params) {
  const chat = bot.chat(params.chat_id);
  return {
    ...chat.apiChat(),
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false,
    },
  };
}

const MENU_BUTTON_TYPES = new Set(['commands', 'web_app', 'default']);

/** The menu button of one private chat (`chat_id`) or every chat's default; recorded. */
function setChatMenuButton(bot, params) {
  const chatId = integer(params, 'chat_id', { fallback: null });
  if (chatId !== null) {
    bot.chat(chatId);
  }
  const button = json(params, 'menu_button', { type: 'default' });
  if (!button || typeof button !== 'object' || !MENU_BUTTON_TYPES.has(button.type)) {
    throw badRequest("can't parse menu button: unknown type");
  }
  if (button.type === 'web_app') {
    if (!button.text || String(button.text).length > 64) {
      throw badRequest('BUTTON_TEXT_INVALID');
    }
    if (!button.web_app || !/^https:\/\//.test(String(button.web_app.url ?? ''))) {
      throw badRequest('BUTTON_URL_INVALID');
    }
  }
  bot.menuButtons.push({ chat_id: chatId, menu_button: button, set_at_ms: Date.now() });
  return true;
}

function getChatMenuButton(bot, params) {
  const chatId = integer(params, 'chat_id', { fallback: null });
  const latest = (id) => bot.menuButtons.findLast((entry) => entry.chat_id === id);
  const entry = (chatId === null ? null : latest(chatId)) ?? latest(null);
  return entry ? entry.menu_button : { type: 'default' };
}

const accept = () => true;

const METHODS = {
  getMe: (bot) => bot.user,
  logOut: accept,
  close: accept,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  sendMessage,
  sendPhoto,
  sendDocument,
  sendChatAction,
  sendMessageDraft,
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  editMessageMedia,
  deleteMessage,
  answerCallbackQuery,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  setMyDescription: accept,
  setMyShortDescription: accept,
  setMyName: accept,
  setChatMenuButton,
  getChatMenuButton,
  getFile,
  getChat,
  getBusinessConnection: business.getBusinessConnection,
};

/** Telegram method names are case-insensitive: lower-cased name -> [canonical name, handler]. */
const METHODS_BY_LOWER_NAME = new Map(
  Object.entries(METHODS).map(([name, handler]) => [name.toLowerCase(), [name, handler]]),
);

function findMethod(name) {
  return METHODS_BY_LOWER_NAME.get(name.toLowerCase()) ?? null;
}

module.exports = { findMethod, METHODS };
