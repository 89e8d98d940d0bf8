'use strict';

/**
 * The emulator's memory: one BotState per token, holding its pending updates, its chats
 * (with every message the bot sent, chat actions and button presses), uploaded files,
 * registered commands, webhook and the failures the tests asked for.
 */

const { EventEmitter } = require('node:events');
const crypto = require('node:crypto');
const { ApiError, badRequest } = require('./errors');

const TOKEN = /^(\d{1,20}):([A-Za-z0-9_-]{1,100})$/;

const unixTime = () => Math.floor(Date.now() / 1000);

/** A call injected failures and delays match unless a test names its methods: sends and
 * edits (a draft is no message: a test that wants it to fail names sendMessageDraft). */
const sendsOrEdits = (method) => /^(send|edit|copy|forward)/.test(method) && method !== 'sendMessageDraft';

/** A private chat between the bot and one user (the user's id is the chat id). */
class ChatState {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.nextMessageId = 1;
    this.messages = new Map(); // message_id -> Bot API Message, the user's and the bot's
    this.botMessages = []; // records of what the bot sent, in order (see BotState.recordMessage)
    this.actions = [];
    this.callbacks = [];
    this.drafts = []; // sendMessageDraft calls, in order (see botApi.sendMessageDraft)
    this.blocked = false;
  }

  apiChat() {
    const chat = { id: this.id, type: 'private', first_name: this.user.first_name };
    for (const field of ['last_name', 'username']) {
      if (this.user[field]) {
        chat[field] = this.user[field];
      }
    }
    return chat;
  }

  takeMessageId() {
    const id = this.nextMessageId;
    this.nextMessageId += 1;
    return id;
  }

  /** What the control API shows about this chat. */
  log() {
    return {
      chat: this.apiChat(),
      user: this.user,
      blocked: this.blocked,
      messages: this.botMessages,
      actions: this.actions,
      callbacks: this.callbacks,
      drafts: this.drafts,
    };
  }
}

class BotState extends EventEmitter {
  constructor(token) {
    super();
    this.setMaxListeners(0);
    this.token = token;
    this.id = Number(TOKEN.exec(token)[1]);
    this.user = {
      id: this.id,
      is_bot: true,
      first_name: 'Emulated Bot',
      username: `emulated_${this.id}_bot`,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
    this.updates = []; // not yet confirmed by getUpdates(offset) or delivered to the webhook
    this.nextUpdateId = 1;
    this.allowedUpdates = [];
    this.webhook = null;
    this.webhookError = null;
    this.delivering = false;
    this.poller = null;
    this.chats = new Map();
    this.files = new Map(); // file_id -> stored file
    this.filePaths = new Map(); // file_path -> stored file
    this.commands = new Map();
    this.callbackQueries = new Map();
    this.failures = [];
    this.delays = []; // answers held back after the call took effect (a client timeout)
    this.flood = null; // {interval_ms, slack_ms}: Telegram's per-chat limit, when a test asks
    this.lastSendAt = new Map(); // chat id -> ms of the last accepted send
    this.floodRefusals = 0;
    this.calls = {};
    this.sentCount = 0;
    this.menuButtons = []; // setChatMenuButton calls, in order
    this.sequence = 0; // orders messages and drafts across chats (ms clocks can tie)
  }

  /** The next number in the order the bot's messages and drafts arrived. */
  nextSequence() {
    this.sequence += 1;
    return this.sequence;
  }

  // -- chats -----------------------------------------------------------------------------

  /** Creates the private chat with this user, or refreshes the user's profile. */
  ensureChat(user) {
    const existing = this.chats.get(user.id);
    if (existing) {
      existing.user = { ...existing.user, ...user };
      return existing;
    }
    const chat = new ChatState(user.id, user);
    this.chats.set(user.id, chat);
    return chat;
  }

  chat(chatId) {
    const chat = this.chats.get(Number(chatId));
    if (!chat) {
      throw badRequest('chat not found');
    }
    return chat;
  }

  /** The chat a send/edit call targets; a chat that blocked the bot answers 403. */
  sendTarget(chatId) {
    const chat = this.chat(chatId);
    if (chat.blocked) {
      throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    }
    return chat;
  }

  changed(chatId) {
    this.emit('change', chatId);
  }

  // -- updates ---------------------------------------------------------------------------

  enqueue(payload) {
    const type = Object.keys(payload)[0];
    const update = { update_id: this.nextUpdateId, ...payload };
    this.nextUpdateId += 1;
    if (this.allowedUpdates.length === 0 || this.allowedUpdates.includes(type)) {
      this.updates.push(update);
      this.emit('update');
    }
    return update;
  }

  /** Forgets the updates before `offset` (getUpdates' confirmation); negative counts back. */
  confirm(offset) {
    if (offset > 0) {
      this.updates = this.updates.filter((update) => update.update_id >= offset);
    } else if (offset < 0) {
      this.updates = this.updates.slice(offset);
    }
  }

  // -- messages the bot sends ------------------------------------------------------------

  /**
   * Adds a message from the bot to `chat`. `content` holds the Bot API Message fields
   * (text/entities, caption, photo, document), `record` what the tests read back.
   */
  recordMessage(chat, method, content, replyMarkup, record) {
    const { id, is_bot: isBot, first_name: firstName, username } = this.user;
    const message = {
      message_id: chat.takeMessageId(),
      from: { id, is_bot: isBot, first_name: firstName, username },
      chat: chat.apiChat(),
      date: unixTime(),
      ...content,
    };
    if (replyMarkup && replyMarkup.inline_keyboard) {
      message.reply_markup = replyMarkup;
    }
    chat.messages.set(message.message_id, message);
    chat.botMessages.push({
      message_id: message.message_id,
      chat_id: chat.id,
      method,
      kind: record.kind,
      text: record.text ?? null,
      caption: record.caption ?? null,
      parse_mode: record.parse_mode ?? null,
      plain_text: content.text ?? content.caption ?? null,
      entities: content.entities ?? content.caption_entities ?? [],
      reply_markup: replyMarkup ?? null,
      reply_to_message_id: record.reply_to_message_id ?? null,
      file: record.file ?? null,
      sent_at_ms: Date.now(),
      sequence: this.nextSequence(),
      edit_count: 0,
      edited_at_ms: null,
      deleted: false,
    });
    this.sentCount += 1;
    this.changed(chat.id);
    return message;
  }

  botMessage(chat, messageId, missing) {
    const message = chat.messages.get(messageId);
    if (!message || !message.from || message.from.id !== this.id) {
      throw badRequest(missing);
    }
    return { message, record: chat.botMessages.find((r) => r.message_id === messageId) };
  }

  // -- files -----------------------------------------------------------------------------

  storeFile(bytes, { kind, extension, fileName = undefined, mimeType = undefined }) {
    const number = this.files.size;
    const random = crypto.randomBytes(6).toString('hex');
    const file = {
      file_id: `${kind}-${this.id}-${number}-${random}`,
      file_unique_id: `u${this.id}x${number}`,
      file_size: bytes.length,
      file_path: `${kind === 'photo' ? 'photos' : 'documents'}/file_${number}.${extension}`,
      file_name: fileName,
      mime_type: mimeType,
      bytes,
    };
    this.files.set(file.file_id, file);
    this.filePaths.set(file.file_path, file);
    return file;
  }

  file(fileId) {
    const file = this.files.get(fileId);
    if (!file) {
      throw badRequest('invalid file_id');
    }
    return file;
  }

  // -- failures the tests inject ---------------------------------------------------------

  /** Throws the next injected failure that matches this call, if any. */
  takeFailure(method, chatId) {
    const index = this.failures.findIndex((failure) => {
      const methodMatches = failure.methods
        ? failure.methods.includes(method)
        : sendsOrEdits(method);
      const chatMatches = failure.chat_id === null || Number(chatId) === failure.chat_id;
      return methodMatches && chatMatches;
    });
    if (index < 0) {
      return;
    }
    const failure = this.failures[index];
    failure.remaining -= 1;
    if (failure.remaining <= 0) {
      this.failures.splice(index, 1);
    }
    const parameters = failure.retry_after === null ? undefined : { retry_after: failure.retry_after };
    throw new ApiError(failure.error_code, failure.description, parameters);
  }

  /** With a flood limit set, refuses (429, as Telegram does) a send to a chat that comes
   * sooner than `interval_ms - slack_ms` after the last accepted one, and counts it. */
  checkFlood(method, chatId) {
    if (!this.flood || chatId === undefined || !/^(send|copy|forward)/.test(method)
      || method === 'sendMessageDraft') {
      return;
    }
    const key = String(chatId);
    const now = Date.now();
    const last = this.lastSendAt.get(key);
    if (last !== undefined && now - last < this.flood.interval_ms - this.flood.slack_ms) {
      this.floodRefusals += 1;
      const retryAfter = Math.max(1, Math.ceil(this.flood.interval_ms / 1000));
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, {
        retry_after: retryAfter,
      });
    }
    this.lastSendAt.set(key, now);
  }

  /** Milliseconds to hold back the answer to this call (which has taken effect), or 0. */
  takeDelay(method, chatId) {
    const index = this.delays.findIndex((delay) => {
      const methodMatches = delay.methods
        ? delay.methods.includes(method)
        : sendsOrEdits(method);
      const chatMatches = delay.chat_id === null || Number(chatId) === delay.chat_id;
      return methodMatches && chatMatches;
    });
    if (index < 0) {
      return 0;
    }
    const delay = this.delays[index];
    delay.remaining -= 1;
    if (delay.remaining <= 0) {
      this.delays.splice(index, 1);
    }
    return delay.delay_ms;
  }
}

class Store {
  /** `onCreate(bot)` runs for each bot the first time its token is seen. */
  constructor({ onCreate = () => {} } = {}) {
    this.bots = new Map();
    this.onCreate = onCreate;
  }

  static isToken(token) {
    return TOKEN.test(token);
  }

  /** The bot with this token, created on first use; a malformed token answers 401. */
  bot(token) {
    if (!Store.isToken(token)) {
      throw new ApiError(401, 'Unauthorized');
    }
    let bot = this.bots.get(token);
    if (!bot) {
      bot = new BotState(token);
      this.bots.set(token, bot);
      this.onCreate(bot);
    }
    return bot;
  }

  /** Forgets a bot and everything about it (its long poll, if any, ends with 409). */
  forget(token) {
    const bot = this.bots.get(token);
    if (bot) {
      bot.webhook = null;
      if (bot.poller) {
        bot.poller.terminate();
      }
      this.bots.delete(token);
    }
  }
}

module.exports = { Store, BotState, ChatState, unixTime };
