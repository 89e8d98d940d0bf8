'use strict';

/**
 * Bot API parameters arrive as a query string, urlencoded or multipart form fields (each
 * value a string, objects JSON-encoded: python-telegram-bot's way) or as a JSON body. These
 * helpers read them in either form.
 */

const { badRequest } = require('./errors');

/** Collects query and body parameters (the body wins). */
function collectParams(req) {
  return { ...(req.query ?? {}), ...(req.body ?? {}) };
}

function has(params, name) {
  return params[name] !== undefined && params[name] !== null && params[name] !== '';
}

function integer(params, name, { required = false, fallback = undefined } = {}) {
  if (!has(params, name)) {
    if (required) {
      throw badRequest(`${name} is empty`);
    }
    return fallback;
  }
  const value = Number(params[name]);
  if (!Number.isInteger(value)) {
    throw badRequest(`invalid ${name} specified`);
  }
  return value;
}

function string(params, name, { required = false, fallback = undefined } = {}) {
  if (!has(params, name)) {
    if (required) {
      throw badRequest(`${name} is empty`);
    }
    return fallback;
  }
  return String(params[name]);
}

function boolean(params, name, fallback = false) {
  if (!has(params, name)) {
    return fallback;
  }
  const value = params[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A parameter that carries a JSON object or array (reply_markup, entities, commands, ...). */
function json(params, name, fallback = undefined) {
  if (!has(params, name)) {
    return fallback;
  }
  const value = params[name];
  if (typeof value !== 'string') {
    return value;
  }
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

module.exports = { collectParams, has, integer, string, boolean, json };
