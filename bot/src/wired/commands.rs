//! `bot.commands` for one bot: its own queue (`bot.commands.<bot>`, bound to
//! `bot.commands`), declared before the bot starts so that no command sent
//! while it joins is missed. A `Stop` for this bot trips the same stop
//! signal SIGTERM does; commands for other bots are acked and ignored.

use mymeet_core::bus::messages::{BotCommand, BotCommandV1};
use mymeet_core::bus::{BusError, Event, QueueSpec, SharedBus, Subscription};
use tokio::sync::watch;
use uuid::Uuid;

/// The queue that carries `bot_id`'s commands.
pub fn command_queue(bot_id: Uuid) -> QueueSpec {
    QueueSpec::new(
        format!("{}.{bot_id}", BotCommandV1::TOPIC),
        BotCommandV1::TOPIC,
    )
}

/// A subscribed command queue, not yet listening.
pub(super) struct CommandListener {
    bot_id: Uuid,
    subscription: Box<dyn Subscription>,
}

impl CommandListener {
    /// Declares and subscribes to `bot_id`'s command queue.
    pub(super) async fn subscribe(bus: &SharedBus, bot_id: Uuid) -> Result<Self, BusError> {
        let subscription = bus.subscribe(&command_queue(bot_id)).await?;
        Ok(CommandListener {
            bot_id,
            subscription,
        })
    }

    /// Listens until a `Stop` for this bot arrives (then sets `stop`) or the
    /// bus closes; meant to be spawned and aborted when the bot ends.
    pub(super) async fn run(mut self, stop: watch::Sender<bool>) {
        loop {
            let delivery = match self.subscription.next().await {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(bot = %self.bot_id, error = %e, "bot.commands subscription ended");
                    return;
                }
            };
            let command = delivery.envelope.decode::<BotCommandV1>();
            let settled = match &command {
                Ok(_) => delivery.ack().await,
                Err(e) => delivery.reject(&e.to_string()).await,
            };
            if let Err(e) = settled {
                tracing::warn!(bot = %self.bot_id, error = %e, "settling a bot command");
            }
            match command {
                Ok(c) if c.bot_id == self.bot_id => match c.command {
                    BotCommand::Stop => {
                        tracing::info!(bot = %self.bot_id, "stop requested on bot.commands");
                        let _ = stop.send(true);
                    }
                },
                Ok(_) => {}
                Err(e) => tracing::warn!(bot = %self.bot_id, error = %e, "malformed bot command"),
            }
        }
    }
}
