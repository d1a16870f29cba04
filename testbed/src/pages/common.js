// Shared client of the room: lobby polling and the WebRTC receive connection.
const ROOM = {
  view: null,
  pc: null,
  timer: null,
  onView: null,
  async join(name) {
    const r = await fetch('/_tb/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    this.view = await r.json();
    this.onView && this.onView(this.view);
    this.timer = setInterval(() => this.poll(), 200);
    return this.view;
  },
  async poll() {
    if (!this.view) return;
    try {
      const r = await fetch('/_tb/guest/' + this.view.id);
      if (!r.ok) return;
      const v = await r.json();
      this.view = v;
      if (v.status !== 'lobby' && v.status !== 'admitted') this.stop();
      this.onView && this.onView(v);
    } catch (e) { /* the server went away; keep the last screen */ }
  },
  stop() {
    clearInterval(this.timer);
    if (this.pc) { this.pc.close(); this.pc = null; }
  },
  async connectAudio(streams) {
    if (this.pc) return;
    const pc = new RTCPeerConnection();
    this.pc = pc;
    for (let i = 0; i < streams; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (e) => {
      const a = document.createElement('audio');
      a.autoplay = true;
      a.srcObject = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      document.getElementById('audio-sink').appendChild(a);
      a.play().catch(() => {});
    });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((done) => {
      if (pc.iceGatheringState === 'complete') return done();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') done();
      });
      setTimeout(done, 3000);
    });
    const r = await fetch('/_tb/guest/' + this.view.id + '/offer', {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: pc.localDescription.sdp,
    });
    if (!r.ok) return;
    await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
  },
  async leave() {
    if (this.view) await fetch('/_tb/guest/' + this.view.id + '/leave', { method: 'POST' });
    this.stop();
  },
};
function show(id) {
  document.querySelectorAll('[data-screen]').forEach((s) => { s.hidden = s.id !== id; });
}
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
