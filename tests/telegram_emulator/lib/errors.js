'use strict';

/**
 * An error the Bot API answers with `{"ok": false, "error_code": ..., "description": ...}`
 * and the same HTTP status, the way api.telegram.org does.
 */
class ApiError extends Error {
  constructor(errorCode, description, parameters = undefined) {
    super(description);
    this.errorCode = errorCode;
    this.description = description;
    this.parameters = parameters;
  }

  toJSON() {
    const body = { ok: false, error_code: this.errorCode, description: this.description };
    if (this.parameters) {
      body.parameters = this.parameters;
    }
    return body;
  }
}

const badRequest = (detail) => new ApiError(400, `Bad Request: ${detail}`);

module.exports = { ApiError, badRequest };
