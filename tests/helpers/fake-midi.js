// A Web MIDI stand-in for the browser tests, installed with
// page.addInitScript(installFakeMidi, options) before the page's scripts
// run. Events carry performance-clock timestamps like real
// MIDIMessageEvents. In the page, window.__fakeMidi offers:
//   play(bytes, id = first device, { timeStamp })
//                                    a message from that input; by default
//                                    stamped when dispatched, on the main
//                                    thread. A real device's timestamp is
//                                    taken off the main thread, when the
//                                    bytes arrive: pass `timeStamp` (a
//                                    performance.now() time) to deliver one
//                                    stamped before the main thread was busy.
//   plug({ id, name })               hot-plug: a new input appears
//   unplug(id)                       it disappears ('disconnected')
//   requests                         how many times access was requested
// options: { devices: [{ id, name }], mode: 'ok' | 'absent' | 'denied' }.

export function installFakeMidi(options = {}) {
  const { devices = [{ id: 'fake-1', name: 'Fake Keyboard' }], mode = 'ok' } = options;
  if (mode === 'absent') {
    // Safari, or Firefox without the permission add-on.
    Object.defineProperty(navigator, 'requestMIDIAccess', { value: undefined, configurable: true });
    return;
  }
  class FakeInput extends EventTarget {
    constructor({ id, name }) {
      super();
      Object.assign(this, { id, name, manufacturer: 'Test', state: 'connected', connection: 'closed', type: 'input' });
    }
  }
  const access = new EventTarget();
  access.inputs = new Map();
  access.outputs = new Map();
  access.sysexEnabled = false;
  const changed = (port) => {
    const e = new Event('statechange');
    e.port = port;
    access.dispatchEvent(e);
  };
  const plug = (device) => {
    const input = new FakeInput(device);
    access.inputs.set(input.id, input);
    return input;
  };
  devices.forEach(plug);
  window.__fakeMidi = {
    requests: 0,
    play(bytes, id = devices[0]?.id, { timeStamp } = {}) {
      const input = access.inputs.get(id);
      if (!input) throw new Error(`no fake MIDI input ${id}`);
      const e = new Event('midimessage');
      e.data = Uint8Array.from(bytes);
      if (timeStamp !== undefined) Object.defineProperty(e, 'timeStamp', { value: timeStamp });
      input.dispatchEvent(e);
    },
    plug(device) {
      changed(plug(device));
    },
    unplug(id) {
      const input = access.inputs.get(id);
      input.state = 'disconnected';
      access.inputs.delete(id);
      changed(input);
    },
  };
  navigator.requestMIDIAccess = async () => {
    window.__fakeMidi.requests += 1;
    if (mode === 'denied') throw new DOMException('Permission denied', 'NotAllowedError');
    return access;
  };
}
