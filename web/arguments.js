// Argument checks of the public API (web/index.js). Each throws a TypeError
// for a value of the wrong kind or a RangeError for one out of its range,
// with a message naming the argument, before anything is sent to the audio
// thread.

/**
 * How far from the context's current time an event may be scheduled, in
 * either direction (one day). Past times play at once (late); the bound
 * catches times in the wrong unit, and keeps frames far inside the 64-bit
 * (and JavaScript's 53-bit) range.
 */
export const EVENT_HORIZON_SECONDS = 86400;

/** Sample rates a sample may have (as the engine accepts them). */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;

/** A short description of `value` for error messages. */
export function describe(value) {
  if (typeof value === 'string') return `the string "${value.length > 20 ? `${value.slice(0, 20)}...` : value}"`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  return value === null || typeof value !== 'object' ? String(value) : (value.constructor?.name ?? 'an object');
}

/** `options` itself, or {} when it is undefined; a TypeError for null and non-objects. */
export function optionsObject(options, where) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  return options;
}

/** A number, else a TypeError. */
function checkNumber(name, value) {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describe(value)}`);
}

/** An integer in lo..hi. */
export function checkInteger(name, value, lo, hi) {
  checkNumber(name, value);
  if (!(Number.isInteger(value) && value >= lo && value <= hi)) throw new RangeError(`${name} must be an integer in ${lo}..${hi}, got ${value}`);
  return value;
}

/** A MIDI data value, 0..127. */
export function checkData(name, value) {
  return checkInteger(name, value, 0, 127);
}

export function checkChannel(channel) {
  return checkInteger('channel', channel, 0, 15);
}

/** A finite number (>= `min` when given). */
export function checkFinite(name, value, min = -Infinity) {
  checkNumber(name, value);
  if (!(Number.isFinite(value) && value >= min)) {
    throw new RangeError(`${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${value}`);
  }
  return value;
}

/**
 * An event time in context seconds (undefined and null: none), within
 * EVENT_HORIZON_SECONDS of `context.currentTime`.
 */
export function checkTime(time, context) {
  if (time === undefined || time === null) return undefined;
  checkNumber('time', time);
  const now = context.currentTime;
  if (!(Math.abs(time - now) <= EVENT_HORIZON_SECONDS)) {
    throw new RangeError(`time must be a finite number of context seconds within ${EVENT_HORIZON_SECONDS} s of currentTime (${now}), got ${time}`);
  }
  return time;
}

/** A performance.now() timestamp (undefined: none), within the horizon of `now` (ms). */
export function checkTimestamp(timestamp, now) {
  if (timestamp === undefined) return undefined;
  checkNumber('timestamp', timestamp);
  if (!(Math.abs(timestamp - now) <= EVENT_HORIZON_SECONDS * 1000)) {
    throw new RangeError(`timestamp must be a finite performance.now() time within ${EVENT_HORIZON_SECONDS} s of now, got ${timestamp}`);
  }
  return timestamp;
}

/**
 * Checks one loadSamples entry (everything but its decoded audio) and
 * returns its source: 'channels', 'audioBuffer' or 'url'.
 */
export function checkSampleEntry(entry, i) {
  const name = `sample entry ${i}`;
  if (entry === null || typeof entry !== 'object') throw new TypeError(`${name} must be an object, got ${describe(entry)}`);
  checkData(`rootKey of ${name}`, entry.rootKey);
  for (const key of ['keyLo', 'keyHi', 'velLo', 'velHi']) {
    if (entry[key] !== undefined) checkData(`${key} of ${name}`, entry[key]);
  }
  if (entry.keyLo !== undefined && entry.keyHi !== undefined && entry.keyLo > entry.keyHi) {
    throw new RangeError(`${name}: keyLo ${entry.keyLo} is above keyHi ${entry.keyHi}`);
  }
  if ((entry.velLo ?? 1) > (entry.velHi ?? 127)) {
    throw new RangeError(`${name}: velLo ${entry.velLo ?? 1} is above velHi ${entry.velHi ?? 127}`);
  }
  if (entry.tuneCents !== undefined) checkFinite(`tuneCents of ${name}`, entry.tuneCents);
  if (entry.gain !== undefined) checkFinite(`gain of ${name}`, entry.gain, 0);
  if (entry.channels !== undefined) {
    checkSampleRate(`sampleRate of ${name}`, entry.sampleRate);
    const { channels } = entry;
    if (!Array.isArray(channels) || channels.length < 1 || channels.length > 2) {
      throw new TypeError(`channels of ${name} must be an array of one or two channels, got ${describe(channels)}${Array.isArray(channels) ? ` of ${channels.length}` : ''}`);
    }
    channels.forEach((c, k) => {
      if (c === null || typeof c !== 'object' || typeof c.length !== 'number') {
        throw new TypeError(`channel ${k} of ${name} must be an array of numbers, got ${describe(c)}`);
      }
    });
    return 'channels';
  }
  if (entry.audioBuffer !== undefined) {
    if (typeof AudioBuffer === 'undefined' || !(entry.audioBuffer instanceof AudioBuffer)) {
      throw new TypeError(`audioBuffer of ${name} must be an AudioBuffer, got ${describe(entry.audioBuffer)}`);
    }
    return 'audioBuffer';
  }
  if (entry.url !== undefined) {
    if (typeof entry.url !== 'string' && !(entry.url instanceof URL)) throw new TypeError(`url of ${name} must be a string or URL, got ${describe(entry.url)}`);
    return 'url';
  }
  throw new TypeError(`${name} has no url, audioBuffer or channels`);
}

export function checkSampleRate(name, rate) {
  checkNumber(name, rate);
  if (!(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE)) {
    throw new RangeError(`${name} must be in ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz, got ${rate}`);
  }
  return rate;
}

/**
 * Checks that sample channels have the same length, at least one frame, and
 * only finite values (one NaN voice would silence the whole mix); throws
 * `new ErrorType(message)`. Returns Float32Array copies when `copy` (so
 * what was checked is what is sent), else the channels themselves.
 */
export function finiteChannels(channels, where, { ErrorType = RangeError, copy = true } = {}) {
  const frames = channels[0].length;
  if (!(Number.isInteger(frames) && frames >= 1)) throw new ErrorType(`${where}: a sample needs at least one frame, got ${frames}`);
  return channels.map((channel, k) => {
    if (channel.length !== frames) throw new ErrorType(`${where}: channel ${k} has ${channel.length} frames, channel 0 has ${frames}`);
    const data = copy ? Float32Array.from(channel) : channel;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new ErrorType(`${where}: channel ${k} has the value ${channel[i]} at frame ${i}; samples must be finite`);
    }
    return data;
  });
}
