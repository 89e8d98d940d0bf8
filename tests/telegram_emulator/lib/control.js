'use strict';

/**
 * The tests' side of the emulator, under /_emulator (JSON in, `{"ok": true, "result": ...}`
 * out): users write to the bot and press its buttons; tests read what the bot sent, wait for
 * it, block chats and make the next calls fail. See README.md for the routes.
 */

const express = require('express');
const { ApiError, badRequest } = require('./errors');
const { unixTime } = require('./store');
const business = require('./business');

const COMMAND = /(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,32})?)(?=$|[^A-Za-z0-9_@])/g;
const WAIT_LIMIT_MS = 60_000;
const DEFAULT_DESCRIPTIONS = {
  400: 'Bad Request: injected failure',
  403: 'Forbidden: bot was blocked by the user',
  429: 'Too Many Requests: retry after {retry_after}',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** bot_command entities, as Telegram marks every /command in a user's text. */
function commandEntities(text) {
  return [...text.matchAll(COMMAND)].map((match) => ({
    type: 'bot_command',
    offset: match.index + match[1].length,
    length: match[2].length,
  }));
}

/** The user behind a private chat: the chat id is the user id. */
function userFrom(body) {
  const id = Number(body.chat_id);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw badRequest('chat_id must be a positive integer (a private chat: the user id)');
  }
  const user = { id, is_bot: false, first_name: body.first_name || `User ${id}` };
  for (const field of ['last_name', 'username', 'language_code']) {
    if (body[field]) {
      user[field] = String(body[field]);
    }
  }
  return user;
}

function nonNegative(value, fallback) {
  const number = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw badRequest(`expected a non-negative number, got ${JSON.stringify(value)}`);
  }
  return number;
}

function sendError(res, error) {
  if (res.headersSent || res.destroyed) {
    return;
  }
  if (error instanceof ApiError) {
    res.status(error.errorCode).json(error.toJSON());
  } else {
    console.error(error);
    res.status(500).json({ ok: false, error_code: 500, description: `emulator error: ${error.message}` });
  }
}

// -- users act -----------------------------------------------------------------------------

function userMessage(bot, body) {
  const chat = bot.ensureChat(userFrom(body));
  chat.blocked = false; // writing to the bot again unblocks it, like pressing "Restart"
  const text = String(body.text ?? '');
  if (text === '') {
    throw badRequest('text is empty');
  }
  const message = {
    message_id: chat.takeMessageId(),
    from: { ...chat.user },
    chat: chat.apiChat(),
    date: unixTime(),
    text,
  };
  const entities = commandEntities(text);
  if (entities.length > 0) {
    message.entities = entities;
  }
  if (body.forward_sender_name !== undefined) {
    // a message the user forwarded from someone who hides their account
    message.forward_origin = { type: 'hidden_user', sender_user_name: String(body.forward_sender_name), date: unixTime() };
  }
  if (body.reply_to_message_id !== undefined) {
    const target = chat.messages.get(Number(body.reply_to_message_id));
    if (!target) {
      throw badRequest(`message ${body.reply_to_message_id} not found in chat ${chat.id}`);
    }
    const { reply_to_message: _nested, ...shallow } = target;
    message.reply_to_message = shallow;
  }
  chat.messages.set(message.message_id, message);
  bot.changed(chat.id);
  return bot.enqueue({ message });
}

function buttonPress(bot, body) {
  const known = bot.chat(body.chat_id);
  const chat = bot.ensureChat(body.language_code ? { ...known.user, language_code: body.language_code } : known.user);
  chat.blocked = false;
  const messageId = Number(body.message_id);
  const message = chat.messages.get(messageId);
  if (!message || !message.from || message.from.id !== bot.id) {
    throw badRequest(`the bot has no message ${body.message_id} in chat ${chat.id}`);
  }
  const data = String(body.data ?? '');
  const buttons = (message.reply_markup?.inline_keyboard ?? []).flat();
  if (!buttons.some((button) => button.callback_data === data)) {
    throw badRequest(`message ${messageId} has no button with callback_data ${JSON.stringify(data)}`);
  }
  const id = `${bot.id}${String(bot.callbackQueries.size + 1).padStart(8, '0')}`;
  const press = {
    callback_query_id: id,
    chat_id: chat.id,
    message_id: messageId,
    data,
    pressed_at_ms: Date.now(),
    answered: false,
    answer_text: null,
    show_alert: false,
    url: null,
    answered_at_ms: null,
  };
  bot.callbackQueries.set(id, press);
  chat.callbacks.push(press);
  bot.changed(chat.id);
  return bot.enqueue({
    callback_query: {
      id,
      from: { ...chat.user },
      message: structuredClone(message),
      chat_instance: `${bot.id}${chat.id}`,
      data,
    },
  });
}

function registerChats(bot, body) {
  const chats = Array.isArray(body.chats) ? body.chats : [body];
  for (const entry of chats) {
    bot.ensureChat(userFrom(entry));
  }
  return chats.length;
}

// -- tests steer ---------------------------------------------------------------------------

function addFailure(bot, body) {
  const errorCode = Number(body.error_code ?? 429);
  const retryAfter = errorCode === 429 ? nonNegative(body.retry_after, 1) : null;
  const template = body.description ?? DEFAULT_DESCRIPTIONS[errorCode] ?? `Error ${errorCode}`;
  bot.failures.push({
    chat_id: body.chat_id === undefined || body.chat_id === null ? null : Number(body.chat_id),
    methods: Array.isArray(body.methods) ? body.methods : null,
    remaining: nonNegative(body.count, 1),
    error_code: errorCode,
    description: template.replace('{retry_after}', String(retryAfter)),
    retry_after: retryAfter,
  });
  return bot.failures.length;
}

function addDelay(bot, body) {
  bot.delays.push({
    chat_id: body.chat_id === undefined || body.chat_id === null ? null : Number(body.chat_id),
    methods: Array.isArray(body.methods) ? body.methods : null,
    remaining: nonNegative(body.count, 1),
    delay_ms: nonNegative(body.delay_ms, 1000),
  });
  return bot.delays.length;
}

function setBlocked(bot, chatId, body) {
  const chat = bot.chat(chatId);
  chat.blocked = body.blocked === undefined ? true : Boolean(body.blocked);
  bot.changed(chat.id);
  return chat.blocked;
}

/** Resolves with the chat log once the bot sent/did at least what `want` asks, or times out. */
function waitFor(bot, chat, want, timeoutMs, res) {
  const answered = () => chat.callbacks.filter((press) => press.answered).length;
  const edits = () => chat.botMessages.reduce((sum, record) => sum + record.edit_count, 0);
  const satisfied = () => chat.botMessages.length >= want.messages
    && chat.actions.length >= want.actions
    && chat.drafts.length >= want.drafts
    && answered() >= want.answers
    && edits() >= want.edits;
  if (satisfied()) {
    return Promise.resolve({ timedOut: false });
  }
  return new Promise((resolve) => {
    const finish = (timedOut) => {
      clearTimeout(timer);
      bot.off('change', onChange);
      res.off('close', onClose);
      resolve({ timedOut });
    };
    const onChange = (chatId) => {
      if (chatId === chat.id && satisfied()) {
        finish(false);
      }
    };
    const onClose = () => finish(true);
    const timer = setTimeout(() => finish(true), timeoutMs);
    bot.on('change', onChange);
    res.on('close', onClose);
  });
}

function allMessages(bot) {
  return [...bot.chats.values()]
    .flatMap((chat) => chat.botMessages)
    .sort((a, b) => a.sent_at_ms - b.sent_at_ms);
}

function stats(bot) {
  return {
    calls: bot.calls,
    messages_sent: bot.sentCount,
    flood_refusals: bot.floodRefusals,
    chats: bot.chats.size,
    pending_updates: bot.updates.length,
    webhook: bot.webhook ? { url: bot.webhook.url, last_error: bot.webhookError } : null,
  };
}

// -- routes --------------------------------------------------------------------------------

function controlRouter(store) {
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));

  const route = (handler) => async (req, res) => {
    try {
      const bot = store.bot(req.params.token);
      const result = await handler(bot, req.body ?? {}, req, res);
      if (!res.headersSent && !res.destroyed) {
        res.json({ ok: true, result });
      }
    } catch (error) {
      sendError(res, error);
    }
  };

  router.get('/health', (_req, res) => res.json({ ok: true, result: { bots: store.bots.size } }));
  router.post('/:token/messages', route((bot, body) => userMessage(bot, body)));
  router.post('/:token/callbacks', route((bot, body) => buttonPress(bot, body)));
  router.post('/:token/chats', route((bot, body) => registerChats(bot, body)));
  router.get('/:token/chats/:chatId', route((bot, _body, req) => bot.chat(req.params.chatId).log()));
  router.post('/:token/chats/:chatId/blocked', route((bot, body, req) => setBlocked(bot, req.params.chatId, body)));
  router.get('/:token/chats/:chatId/wait', async (req, res) => {
    try {
      const bot = store.bot(req.params.token);
      const chat = bot.chat(req.params.chatId);
      const want = {};
      for (const key of ['messages', 'actions', 'answers', 'edits', 'drafts']) {
        want[key] = nonNegative(req.query[key], 0);
      }
      const timeoutMs = Math.min(nonNegative(req.query.timeout, 5) * 1000, WAIT_LIMIT_MS);
      const { timedOut } = await waitFor(bot, chat, want, timeoutMs, res);
      if (res.destroyed) {
        return;
      }
      if (timedOut) {
        res.status(408).json({
          ok: false,
          error_code: 408,
          description: `timed out after ${timeoutMs} ms waiting for ${JSON.stringify(want)}`,
          result: chat.log(),
        });
      } else {
        res.json({ ok: true, result: chat.log() });
      }
    } catch (error) {
      sendError(res, error);
    }
  });
  router.post('/:token/business_connections', route((bot, body) => business.connect(bot, body)));
  router.post('/:token/business_messages', route((bot, body) => business.businessMessage(bot, body)));
  router.get('/:token/business_chats/:connectionId/:chatId', route((bot, _body, req) => business.businessChatLog(bot, req.params.connectionId, req.params.chatId)));
  router.get('/:token/messages', route((bot) => allMessages(bot)));
  router.get('/:token/commands', route((bot) => [...bot.commands.values()]));
  router.get('/:token/menu_buttons', route((bot) => bot.menuButtons));
  router.post('/:token/failures', route((bot, body) => addFailure(bot, body)));
  router.delete('/:token/failures', route((bot) => {
    bot.failures = [];
    return true;
  }));
  router.post('/:token/delays', route((bot, body) => addDelay(bot, body)));
  router.post('/:token/flood', route((bot, body) => {
    bot.flood = body.interval_ms ? {
      interval_ms: nonNegative(body.interval_ms, 1000),
      slack_ms: nonNegative(body.slack_ms, 100),
    } : null;
    bot.lastSendAt.clear();
    bot.floodRefusals = 0;
    return bot.flood;
  }));
  router.delete('/:token/delays', route((bot) => {
    bot.delays = [];
    return true;
  }));
  router.get('/:token/stats', route((bot) => stats(bot)));
  router.delete('/:token', (req, res) => {
    store.forget(req.params.token);
    res.json({ ok: true, result: true });
  });
  return router;
}

module.exports = { controlRouter, commandEntities };
