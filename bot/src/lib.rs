//! One bot in one meeting: platform adapters for Meet, Teams and Zoom driving
//! headless Chromium over CDP, the audio bridge, the recorder, the speaker
//! timeline and the leave rules.
//!
//! Depends on `mymeet-integrations` and `mymeet-core`; never on `pipeline`,
//! `scheduler` or `api`. The bot issue fills it.
