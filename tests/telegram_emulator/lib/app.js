'use strict';

/**
 * The HTTP face of the emulator: the Bot API at /bot<token>/<method>, files at
 * /file/bot<token>/<file_path> (what base_url and base_file_url point at) and the tests'
 * control API at /_emulator.
 */

const express = require('express');
const multer = require('multer');
const { ApiError } = require('./errors');
const { findMethod } = require('./botApi');
const { controlRouter } = require('./control');
const { collectParams } = require('./params');

const BOT_METHOD = /^\/bot([^/]+)\/([A-Za-z_]+)\/?$/;
const BOT_FILE = /^\/file\/bot([^/]+)\/(.+)$/;
const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

function sendApiError(res, error) {
  if (!res.headersSent && !res.destroyed) {
    res.status(error.errorCode).json(error.toJSON());
  }
}

async function callMethod(store, token, methodName, req, res, log) {
  const startedAt = Date.now();
  let status = 200;
  try {
    const bot = store.bot(token);
    const found = findMethod(methodName);
    if (!found) {
      log(`unknown Bot API method ${methodName}: answering 404 as Telegram does`);
      throw new ApiError(404, 'Not Found');
    }
    const [name, handler] = found;
    bot.calls[name] = (bot.calls[name] ?? 0) + 1;
    const params = collectParams(req);
    bot.takeFailure(name, params.chat_id);
    bot.checkFlood(name, params.chat_id);
    const result = await handler(bot, params, { files: req.files ?? [], req, res });
    const delayMs = bot.takeDelay(name, params.chat_id);
    if (delayMs > 0) {
      // the call took effect (a message is recorded as sent); its answer comes late, so a
      // client with a shorter timeout gives up not knowing it was delivered
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    if (!res.headersSent && !res.destroyed) {
      res.json({ ok: true, result });
    }
  } catch (error) {
    if (error instanceof ApiError) {
      status = error.errorCode;
      sendApiError(res, error);
    } else {
      status = 500;
      log(`${methodName} failed inside the emulator: ${error.stack}`);
      sendApiError(res, new ApiError(500, `Internal Server Error: ${error.message}`));
    }
  } finally {
    log.verbose(`${req.method} ${methodName} -> ${status} in ${Date.now() - startedAt} ms`);
  }
}

function serveFile(store, token, filePath, res) {
  const bot = store.bots.get(token);
  const file = bot ? bot.filePaths.get(filePath) : undefined;
  if (!file) {
    sendApiError(res, new ApiError(404, 'Not Found'));
    return;
  }
  res.type(file.mime_type || 'application/octet-stream').send(file.bytes);
}

/** The express application; `log(message)` reports problems, `log.verbose` every call. */
function createApp({ store, log }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/_emulator', controlRouter(store));
  app.use(express.json({ limit: UPLOAD_LIMIT_BYTES }));
  app.use(express.urlencoded({ extended: false, limit: UPLOAD_LIMIT_BYTES }));
  app.use(multer({ storage: multer.memoryStorage(), limits: { fileSize: UPLOAD_LIMIT_BYTES } }).any());
  app.use((req, res, next) => {
    const method = BOT_METHOD.exec(req.path);
    if (method) {
      callMethod(store, decodeURIComponent(method[1]), method[2], req, res, log);
      return;
    }
    const file = BOT_FILE.exec(req.path);
    if (file && req.method === 'GET') {
      serveFile(store, decodeURIComponent(file[1]), decodeURIComponent(file[2]), res);
      return;
    }
    next();
  });
  app.use((_req, res) => sendApiError(res, new ApiError(404, 'Not Found')));
  // Malformed bodies (bad JSON, a multipart error) end here.
  app.use((error, _req, res, _next) => {
    log(`bad request: ${error.message}`);
    sendApiError(res, new ApiError(error.status ?? 400, `Bad Request: ${error.message}`));
  });
  return app;
}

module.exports = { createApp };
