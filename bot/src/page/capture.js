// Injected before any page script (Page.addScriptToEvaluateOnNewDocument).
// Collects every remote audio track the page receives, keeps it playing (a
// forwarded track carries sound only while the page plays it), forwards it to
// the bot process over a loopback RTCPeerConnection, and watches the page's
// active-speaker markers. The bot reads state with __mymeet.probe(cfg)
// while it joins and __mymeet.poll(cfg) (both at once) while it records.
(() => {
  'use strict';
  if (window.__mymeet || typeof window.RTCPeerConnection !== 'function') return;
  const NativePC = window.RTCPeerConnection;
  const M = {
    seen: new Set(),
    waiting: [],
    players: [],
    bridge: null,
    bridgeReady: false,
    slots: [],
    events: [],
    speaking: new Map(),
    speakerCfg: null,
    speakerTimer: null,
    nextMark: 1,
  };
  Object.defineProperty(window, '__mymeet', { value: M, enumerable: false });
  const now = () => Date.now();
  const log = (e) => { e.at = now(); M.events.push(e); };

  function keepPlaying(track) {
    const el = new Audio();
    el.autoplay = true;
    el.volume = 0;
    el.srcObject = new MediaStream([track]);
    M.players.push(el);
    el.play().catch((err) => log({ kind: 'play_error', track_id: track.id, message: String(err) }));
  }

  function attach(track) {
    if (track.readyState === 'ended') return;
    const slot = M.slots.find((s) => !s.track || s.track.readyState === 'ended');
    if (!slot) { M.waiting.push(track); log({ kind: 'no_free_slot', track_id: track.id }); return; }
    slot.track = track;
    slot.sender.replaceTrack(track)
      .then(() => log({ kind: 'track_attached', track_id: track.id, mid: slot.mid }))
      .catch((err) => log({ kind: 'attach_error', track_id: track.id, message: String(err) }));
  }

  function flushWaiting() {
    const waiting = M.waiting;
    M.waiting = [];
    waiting.forEach(attach);
  }

  function onRemoteTrack(track) {
    // Incoming video is never looked at: a disabled remote track is not
    // rendered (black frames), which spares the compositor on every platform,
    // whatever its own "turn off incoming video" setting is called.
    if (track && track.kind === 'video') { track.enabled = false; return; }
    if (!track || track.kind !== 'audio' || M.seen.has(track.id)) return;
    M.seen.add(track.id);
    log({ kind: 'track', track_id: track.id });
    keepPlaying(track);
    track.addEventListener('ended', () => {
      log({ kind: 'track_ended', track_id: track.id });
      if (M.bridgeReady) flushWaiting();
    });
    if (M.bridgeReady) attach(track); else M.waiting.push(track);
  }

  // The wrapper constructs the real peer connection, so the page keeps every
  // behaviour; it only adds a listener.
  function RTCPeerConnection(...args) {
    const pc = Reflect.construct(NativePC, args, new.target || RTCPeerConnection);
    pc.addEventListener('track', (e) => onRemoteTrack(e.track));
    return pc;
  }
  RTCPeerConnection.prototype = NativePC.prototype;
  Object.setPrototypeOf(RTCPeerConnection, NativePC);
  // Pages that assign `ontrack` get the same treatment (deduped by track id).
  const ontrack = Object.getOwnPropertyDescriptor(NativePC.prototype, 'ontrack');
  if (ontrack && ontrack.set) {
    Object.defineProperty(NativePC.prototype, 'ontrack', {
      configurable: true,
      enumerable: ontrack.enumerable,
      get() { return ontrack.get.call(this); },
      set(fn) {
        const wrapped = typeof fn === 'function'
          ? function (e) { onRemoteTrack(e.track); return fn.call(this, e); }
          : fn;
        ontrack.set.call(this, wrapped);
      },
    });
  }
  window.RTCPeerConnection = RTCPeerConnection;
  if (window.webkitRTCPeerConnection) window.webkitRTCPeerConnection = RTCPeerConnection;

  // The loopback bridge: `slots` send-only audio transceivers allocated up
  // front, so a track that appears later needs only replaceTrack, no renegotiation.
  M.bridgeOffer = async (slots) => {
    const pc = new NativePC({ iceServers: [] });
    M.bridge = pc;
    for (let i = 0; i < slots; i++) {
      const transceiver = pc.addTransceiver('audio', { direction: 'sendonly' });
      M.slots.push({ transceiver, sender: transceiver.sender, mid: null, track: null });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const timer = setTimeout(resolve, 3000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
      });
    });
    M.slots.forEach((s) => { s.mid = s.transceiver.mid; });
    return pc.localDescription.sdp;
  };

  M.bridgeAnswer = async (sdp) => {
    await M.bridge.setRemoteDescription({ type: 'answer', sdp });
    M.bridgeReady = true;
    flushWaiting();
    return M.slots.map((s) => s.mid);
  };

  M.bridgeState = () => (M.bridge ? M.bridge.connectionState : 'none');

  M.drain = () => {
    const events = M.events;
    M.events = [];
    return { events, bridge: M.bridgeState(), tracks: M.seen.size };
  };

  // ---- page inspection -------------------------------------------------
  const fold = (s) => (s || '').replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();
  const visible = (el) => !!el && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const query = (sel) => { try { return [...document.querySelectorAll(sel)]; } catch (e) { return []; } };
  const anyVisible = (sels) => (sels || []).some((s) => query(s).some(visible));

  function pageText() {
    const body = document.body ? document.body.innerText : '';
    return fold((document.title || '') + '\n' + body);
  }

  // The block of text around the first visible occurrence of `phrase`, so a
  // failure reason carries the platform's own words.
  function around(phrase) {
    const want = fold(phrase);
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!fold(n.textContent).includes(want)) continue;
      let el = n.parentElement;
      for (let i = 0; el && i < 3 && fold(el.parentElement && el.parentElement.innerText).length < 600; i++) {
        el = el.parentElement;
      }
      return (el ? el.innerText : n.textContent).replace(/\s+/g, ' ').trim().slice(0, 600);
    }
    return phrase;
  }

  function find(text, list) {
    for (const t of list || []) if (text.includes(fold(t))) return t;
    return null;
  }

  function tiles(cfg) {
    const out = [];
    if (!cfg || !cfg.tile) return out;
    for (const tile of query(cfg.tile)) {
      let name = '';
      if (cfg.name_attribute) name = tile.getAttribute(cfg.name_attribute) || '';
      if (!name && cfg.name_selector) {
        const el = tile.querySelector(cfg.name_selector);
        if (el) name = el.textContent;
      }
      name = (name || '').replace(/\s+/g, ' ').trim();
      if (!name) continue;
      let speaking = false;
      if (cfg.speaking) {
        try { speaking = tile.matches(cfg.speaking) || !!tile.querySelector(cfg.speaking); } catch (e) { speaking = false; }
      }
      out.push({ name, speaking });
    }
    return out;
  }

  M.probe = (cfg) => {
    const text = pageText();
    const st = cfg.states;
    let blocked = find(text, st.blocked_texts);
    if (!blocked) {
      for (const be of st.blocked_elements || []) {
        if (query(be.selector).some((el) => visible(el) && fold(el.innerText) === fold(be.text))) { blocked = be.text; break; }
      }
    }
    const markers = (st.in_call_selectors || []).filter((s) => query(s).some(visible)).length;
    const people = tiles(cfg.speakers);
    const ended = find(text, st.ended_texts);
    const removed = find(text, st.removed_texts);
    const denied = find(text, st.denied_texts);
    return {
      url: location.href,
      title: document.title || '',
      ended, removed, denied,
      blocked: blocked ? around(blocked) : null,
      not_found: find(text, st.not_found_texts),
      not_started: find(text, st.not_started_texts),
      lobby: find(text, st.lobby_texts),
      in_call_markers: markers,
      name_input: anyVisible(cfg.join.name_inputs),
      participants: people.map((p) => p.name),
      speaking: people.filter((p) => p.speaking).map((p) => p.name),
    };
  };

  // One round trip per tick while recording: the events since the last
  // call, and what the page shows.
  M.poll = (cfg) => ({ drained: M.drain(), probe: M.probe(cfg) });

  // Marks the first visible, enabled element matching a selector or a
  // clickable element whose text or label is one of `texts`; the bot then
  // clicks it through CDP (a trusted click). Returns the mark or null.
  M.mark = (selectors, texts) => {
    let target = null;
    for (const s of selectors || []) {
      target = query(s).find((el) => visible(el) && !el.disabled);
      if (target) break;
    }
    if (!target && texts && texts.length) {
      const candidates = query('button, [role=button], a, input[type=button], input[type=submit], [role=menuitem]')
        .filter((el) => visible(el) && !el.disabled && el.getAttribute('aria-disabled') !== 'true');
      const label = (el) => fold(el.innerText || el.value || el.getAttribute('aria-label') || '');
      for (const t of texts) {
        const want = fold(t);
        target = candidates.find((el) => label(el) === want || fold(el.getAttribute('aria-label')) === want);
        if (target) break;
      }
    }
    if (!target) return null;
    const mark = String(M.nextMark++);
    target.setAttribute('data-mymeet-click', mark);
    return mark;
  };

  // Active speakers, recorded the moment the DOM changes (MutationObserver),
  // with a timer as a fallback for markers that change without mutations.
  function checkSpeakers() {
    const current = new Set(tiles(M.speakerCfg).filter((p) => p.speaking).map((p) => p.name));
    const t = now();
    for (const [name] of M.speaking) {
      if (!current.has(name)) { M.speaking.delete(name); M.events.push({ kind: 'speaker_stop', name, at: t }); }
    }
    for (const name of current) {
      if (!M.speaking.has(name)) { M.speaking.set(name, t); M.events.push({ kind: 'speaker_start', name, at: t }); }
    }
  }

  M.watchSpeakers = (cfg) => {
    M.speakerCfg = cfg;
    if (M.speakerTimer) return;
    let queued = false;
    new MutationObserver(() => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => { queued = false; checkSpeakers(); });
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    M.speakerTimer = setInterval(checkSpeakers, 250);
    checkSpeakers();
  };
})();
