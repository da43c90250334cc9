// The audio engine's health on the page. When the engine fails (a trap in
// the wasm engine), the sampler rejects what was pending and, within its
// limit, restarts itself with the same instrument and settings; this module
// says so on the page as it happens, offers "Restart audio engine" when the
// sampler stopped restarting by itself, and lets the page wait for the
// recovery (to retry a load the failure interrupted).

const $ = (id) => document.getElementById(id);

const reason = (error) => error?.message?.replace(/^the audio engine failed: /, '') ?? 'unknown error';

/**
 * Watches `sampler`: `status(text)` is the page's status line, `onFailed()`
 * runs when the engine stops (held keys are gone), `onRecovered()` when it
 * runs again, `log` collects every state change (for the tests). Returns
 * `{ untilRecovered() }`, resolving to true once the engine runs again,
 * false if it stays failed.
 */
export function watchEngine(sampler, { status, onFailed, onRecovered, log }) {
  const notice = $('engine-warning');
  const text = $('engine-warning-text');
  const button = $('restart-engine');
  let waiters = [];
  let lastError = null;
  let gaveUp = false; // failed, and no automatic restart coming
  const settle = (recovered) => {
    for (const resolve of waiters) resolve(recovered);
    waiters = [];
  };
  const show = (message, offerRestart) => {
    notice.hidden = false;
    text.textContent = message;
    button.hidden = !offerRestart;
    button.disabled = false;
  };

  button.addEventListener('click', () => {
    button.disabled = true;
    sampler.restart().catch(() => {}); // the outcome arrives as a state change
  });

  sampler.onstatechange = (event) => {
    log.push({ at: performance.now(), state: event.state, error: event.error?.message, autoRestart: event.autoRestart, restart: event.restart && { automatic: event.restart.automatic, ms: event.restart.ms } });
    if (event.state === 'failed') {
      lastError = event.error;
      gaveUp = !event.autoRestart;
      onFailed();
      if (event.autoRestart) {
        show(`The audio engine stopped (${reason(event.error)}). Restarting it with your instrument and settings…`, false);
        status('The audio engine stopped; restarting it…');
      } else {
        show(`The audio engine stopped again (${reason(event.error)}) and will not restart by itself. Press “Restart audio engine” to try again.`, true);
        status('The audio engine stopped. Press “Restart audio engine” above.');
        settle(false);
      }
    } else if (event.state === 'restarting') {
      status('Restarting the audio engine…');
    } else if (event.state === 'running' && event.restart) {
      const { automatic, ms, instrument, instrumentError } = event.restart;
      const how = automatic ? 'restarted by itself' : 'was restarted';
      const restored = instrumentError
        ? `but the instrument could not be loaded again (${instrumentError.message}); pick it again.`
        : `with ${instrument ? `${instrument.name ?? 'the instrument'} and ` : ''}your settings.`;
      show(`The audio engine stopped (${reason(lastError)}) and ${how} in ${(ms / 1000).toFixed(1)} s, ${restored}`, false);
      status(`Recovered: the audio engine ${how}. Play!`);
      gaveUp = false;
      onRecovered();
      settle(true);
    }
  };

  return {
    untilRecovered() {
      if (sampler.state === 'running') return Promise.resolve(true);
      if (sampler.state === 'disposed' || (sampler.state === 'failed' && gaveUp)) return Promise.resolve(false);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
