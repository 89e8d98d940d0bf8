#!/usr/bin/env node
'use strict';

/**
 * A local Telegram Bot API emulator for end-to-end tests.
 *
 *   node server.js [--host 127.0.0.1] [--port 8081] [--exit-with-stdin] [--verbose]
 *
 * Port 0 picks a free port. Once listening it prints one JSON line to stdout:
 * {"url": "http://127.0.0.1:PORT", "port": PORT}. With --exit-with-stdin it stops when its
 * stdin closes (so it never outlives the test process that started it).
 */

const http = require('node:http');
const { createApp } = require('./lib/app');
const { Store } = require('./lib/store');
const { watchWebhook } = require('./lib/webhook');

function parseArgs(argv) {
  const options = {
    host: '127.0.0.1',
    port: Number(process.env.TELEGRAM_EMULATOR_PORT ?? 8081),
    exitWithStdin: false,
    verbose: Boolean(process.env.TELEGRAM_EMULATOR_VERBOSE),
  };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--host') {
      options.host = argv[++index];
    } else if (arg === '--port') {
      options.port = Number(argv[++index]);
    } else if (arg === '--exit-with-stdin') {
      options.exitWithStdin = true;
    } else if (arg === '--verbose') {
      options.verbose = true;
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port must be an integer between 0 and 65535');
  }
  return options;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const log = (message) => console.error(`[telegram-emulator] ${message}`);
  log.verbose = options.verbose ? log : () => {};
  const store = new Store({ onCreate: watchWebhook });
  const server = http.createServer(createApp({ store, log }));
  server.keepAliveTimeout = 60_000;

  let stopping = false;
  const stop = () => {
    if (stopping) {
      return;
    }
    stopping = true;
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (options.exitWithStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }

  server.on('error', (error) => {
    log(`cannot listen on ${options.host}:${options.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(options.port, options.host, () => {
    const { port } = server.address();
    process.stdout.write(`${JSON.stringify({ url: `http://${options.host}:${port}`, port })}\n`);
  });
}

main();
