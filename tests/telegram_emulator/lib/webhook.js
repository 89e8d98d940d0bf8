'use strict';

/**
 * Delivers pending updates to the bot's webhook one at a time, oldest first, with the
 * secret token header, the way Telegram does. A webhook that is down or answers an error
 * keeps its updates pending (retried with back-off) and shows up in getWebhookInfo; it
 * never brings the emulator down.
 */

const { unixTime } = require('./store');

const TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 2_000;

const sleep = (ms) => new Promise((resolve) => {
  setTimeout(resolve, ms).unref();
});

async function post(webhook, update) {
  const headers = { 'content-type': 'application/json' };
  if (webhook.secret_token) {
    headers['x-telegram-bot-api-secret-token'] = webhook.secret_token;
  }
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.ok ? null : `Wrong response from the webhook: ${response.status} ${response.statusText}`;
  } catch (error) {
    const cause = error.cause && error.cause.code ? error.cause.code : error.name;
    return `Connection failed: ${cause}`;
  }
}

async function deliverWebhook(bot) {
  if (bot.delivering) {
    return;
  }
  bot.delivering = true;
  let retryMs = FIRST_RETRY_MS;
  try {
    while (bot.webhook && bot.updates.length > 0) {
      const update = bot.updates[0];
      const error = await post(bot.webhook, update);
      if (error === null) {
        bot.updates = bot.updates.filter((pending) => pending !== update);
        retryMs = FIRST_RETRY_MS;
      } else {
        bot.webhookError = { date: unixTime(), message: error };
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
      }
    }
  } finally {
    bot.delivering = false;
  }
}

/** Delivers what is pending, if a webhook is set; safe to call at any time. */
function startDelivery(bot) {
  if (bot.webhook) {
    deliverWebhook(bot).catch((error) => console.error('webhook delivery failed:', error));
  }
}

/** Starts delivering whenever an update is queued while a webhook is set. */
function watchWebhook(bot) {
  bot.on('update', () => startDelivery(bot));
}

module.exports = { startDelivery, watchWebhook };
