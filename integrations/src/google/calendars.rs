use super::failure::FailureNotes;
use super::{GoogleCalendar, GoogleError};

/// One entry of the user's calendar list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarInfo {
    /// The calendar id (the primary calendar's id is the account's email).
    pub id: String,
    /// Its name.
    pub summary: String,
    /// True for the user's primary calendar.
    pub primary: bool,
    /// `owner`, `writer`, `reader` or `freeBusyReader`.
    pub access_role: String,
}

impl CalendarInfo {
    /// True for calendars whose meetings are the user's own (owned or
    /// delegated for writing), not subscriptions such as holidays.
    pub fn is_own(&self) -> bool {
        self.primary || self.access_role == "owner" || self.access_role == "writer"
    }
}

impl GoogleCalendar {
    /// The calendars of the account, all pages.
    pub async fn list_calendars(
        &self,
        access_token: &str,
    ) -> Result<Vec<CalendarInfo>, GoogleError> {
        let hub = self.hub(access_token);
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut notes = FailureNotes::default();
            let mut call = hub.calendar_list().list().delegate(&mut notes);
            if let Some(p) = &page {
                call = call.page_token(p);
            }
            let (_, list) = match call.doit().await {
                Ok(r) => r,
                Err(e) => return Err(notes.classify(e)),
            };
            for c in list.items.unwrap_or_default() {
                out.push(CalendarInfo {
                    id: c.id.unwrap_or_default(),
                    summary: c.summary_override.or(c.summary).unwrap_or_default(),
                    primary: c.primary.unwrap_or(false),
                    access_role: c.access_role.unwrap_or_default(),
                });
            }
            match list.next_page_token {
                Some(p) => page = Some(p),
                None => return Ok(out),
            }
        }
    }
}
