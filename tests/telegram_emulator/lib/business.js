'use strict';

/**
 * Telegram Business (Bot API 7.2+): a business account connects the bot
 * (`business_connection` updates, rights.can_reply), its customers' messages reach the bot
 * as `business_message` updates, and the bot answers with sendMessage(business_connection_id).
 * A business chat is the chat between the account's owner and one customer (its id is the
 * customer's user id); the bot may reply only while the connection is enabled, has
 * can_reply, and the customer wrote within the last 24 hours.
 */

const { ApiError, badRequest } = require('./errors');
const { unixTime } = require('./store');

const WINDOW_S = 24 * 3600;

class BusinessChat {
  constructor(connection, customer) {
    this.connection = connection;
    this.customer = customer;
    this.nextMessageId = 1;
    this.messages = []; // every message, the customer's, the owner's and the bot's
    this.lastCustomerAt = 0;
  }

  apiChat() {
    return { id: this.customer.id, type: 'private', first_name: this.customer.first_name };
  }

  log() {
    return {
      connection_id: this.connection.id,
      chat: this.apiChat(),
      messages: this.messages,
      bot_messages: this.messages.filter((message) => message.sent_by_bot),
    };
  }
}

function state(bot) {
  if (!bot.business) {
    bot.business = { connections: new Map(), chats: new Map() };
  }
  return bot.business;
}

function apiConnection(connection) {
  return {
    id: connection.id,
    user: connection.user,
    user_chat_id: connection.user_chat_id,
    date: connection.date,
    is_enabled: connection.is_enabled,
    rights: { can_reply: connection.can_reply },
  };
}

/** Control: the owner connects (or changes, or disconnects) the bot; queues the update. */
function connect(bot, body) {
  const id = String(body.id ?? '');
  const ownerId = Number(body.user_id);
  if (id === '' || !Number.isSafeInteger(ownerId) || ownerId <= 0) {
    throw badRequest('id and a positive user_id are required');
  }
  const user = { id: ownerId, is_bot: false, first_name: body.first_name || `Owner ${ownerId}` };
  if (body.language_code) {
    user.language_code = String(body.language_code);
  }
  const connection = {
    id,
    user,
    user_chat_id: Number(body.user_chat_id ?? ownerId),
    date: unixTime(),
    is_enabled: body.is_enabled === undefined ? true : Boolean(body.is_enabled),
    can_reply: body.can_reply === undefined ? true : Boolean(body.can_reply),
  };
  state(bot).connections.set(id, connection);
  return bot.enqueue({ business_connection: apiConnection(connection) });
}

function chatFor(bot, connection, customer) {
  const key = `${connection.id}:${customer.id}`;
  const chats = state(bot).chats;
  let chat = chats.get(key);
  if (!chat) {
    chat = new BusinessChat(connection, customer);
    chats.set(key, chat);
  }
  return chat;
}

function knownConnection(bot, id) {
  const connection = state(bot).connections.get(String(id));
  if (!connection) {
    throw badRequest('BUSINESS_CONNECTION_INVALID');
  }
  return connection;
}

/**
 * Control: a customer (or, with `from_owner`, the account's owner) writes in a business
 * chat; `age_s` backdates it (to test the 24-hour window). Queues a business_message.
 */
function businessMessage(bot, body) {
  const connection = knownConnection(bot, body.connection_id);
  const customerId = Number(body.chat_id);
  if (!Number.isSafeInteger(customerId) || customerId <= 0) {
    throw badRequest('chat_id must be the customer user id');
  }
  const customer = { id: customerId, is_bot: false, first_name: body.first_name || `Customer ${customerId}` };
  const chat = chatFor(bot, connection, customer);
  const text = String(body.text ?? '');
  if (text === '') {
    throw badRequest('text is empty');
  }
  const date = unixTime() - Number(body.age_s ?? 0);
  const fromOwner = Boolean(body.from_owner);
  const message = {
    message_id: chat.nextMessageId,
    from: fromOwner ? { ...connection.user } : { ...customer },
    chat: chat.apiChat(),
    date,
    text,
    business_connection_id: connection.id,
  };
  chat.nextMessageId += 1;
  chat.messages.push({ ...message, sent_by_bot: false });
  if (!fromOwner) {
    chat.lastCustomerAt = Math.max(chat.lastCustomerAt, date);
  }
  bot.changed(`business:${connection.id}:${customerId}`);
  return bot.enqueue({ business_message: message });
}

/** sendMessage with business_connection_id: the bot writes in the business chat. */
function sendBusinessMessage(bot, params, content, markup) {
  const connection = knownConnection(bot, params.business_connection_id);
  if (!connection.is_enabled) {
    throw badRequest('BUSINESS_CONNECTION_NOT_ALLOWED');
  }
  if (!connection.can_reply) {
    throw new ApiError(403, 'Forbidden: BOT_ACCESS_FORBIDDEN');
  }
  const customerId = Number(params.chat_id);
  const chat = state(bot).chats.get(`${connection.id}:${customerId}`);
  if (!chat) {
    throw badRequest('chat not found');
  }
  if (unixTime() - chat.lastCustomerAt > WINDOW_S) {
    throw new ApiError(403, 'Forbidden: BOT_BUSINESS_PEER_INVALID: the 24-hour window has passed');
  }
  const message = {
    message_id: chat.nextMessageId,
    from: { ...connection.user },
    chat: chat.apiChat(),
    date: unixTime(),
    ...content,
    business_connection_id: connection.id,
    sender_business_bot: { id: bot.user.id, is_bot: true, first_name: bot.user.first_name, username: bot.user.username },
  };
  if (markup && markup.inline_keyboard) {
    message.reply_markup = markup;
  }
  chat.nextMessageId += 1;
  chat.messages.push({ ...message, sent_by_bot: true });
  bot.sentCount += 1;
  bot.changed(`business:${connection.id}:${customerId}`);
  return message;
}

function getBusinessConnection(bot, params) {
  return apiConnection(knownConnection(bot, params.business_connection_id));
}

function businessChatLog(bot, connectionId, chatId) {
  const chat = state(bot).chats.get(`${connectionId}:${Number(chatId)}`);
  if (!chat) {
    throw badRequest(`no business chat ${chatId} on connection ${connectionId}`);
  }
  return chat.log();
}

module.exports = {
  businessChatLog,
  businessMessage,
  connect,
  getBusinessConnection,
  sendBusinessMessage,
};
