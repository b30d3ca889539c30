//! Starting the server, one way for `remit serve` and for the tests: open and migrate the database,
//! listen, then serve the app and run the background tasks (the webhook dispatcher, the refund sender, the mail sender
//! when an SMTP relay is configured, the sign-in failure sweeper) until told to stop. What differs between the two is injected: the [`Clock`] and
//! how often the tasks run ([`Intervals`]).

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::accounts;
use crate::clock::Clock;
use crate::gateway::GatewayConfig;
use crate::gateway::refunds::{self, RefundSender};
use crate::http::{AppState, app};
use crate::mail::send::{self as mail_send, Sender};
use crate::mail::{MailConfig, MailSetupError};
use crate::portal::PortalConfig;
use crate::portal::views::{self, ViewLog};
use crate::store::{Store, StoreError};
use crate::webhooks::dispatch::{self, Dispatcher};

/// How often `remit serve` forgets sign-in failures that no longer count.
pub const LOGIN_FAILURE_SWEEP: Duration = Duration::from_secs(15 * 60);

/// What a server is started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub database_url: String,
    pub host: String,
    /// 0 lets the OS pick a free port; [`Application::address`] tells which.
    pub port: u16,
    /// The built app (Trunk's `dist` folder).
    pub dist: PathBuf,
    pub clock: Clock,
    pub intervals: Intervals,
    /// How mail is sent; without it, mail waits in the queue.
    pub mail: Option<MailConfig>,
    /// The reverse proxy in front of the server, whose `X-Forwarded-For` names the client.
    pub trusted_proxy: Option<IpAddr>,
    /// How payment gateways are reached.
    pub gateways: GatewayConfig,
}

/// How often the background tasks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    /// How often the webhook dispatcher looks for due deliveries.
    pub webhook_poll: Duration,
    /// How often the mail sender looks for due mail.
    pub mail_poll: Duration,
    /// How often stale sign-in failures are forgotten.
    pub login_failure_sweep: Duration,
    /// How often the refund sender looks for refunds to send to gateways.
    pub refund_poll: Duration,
}

impl Default for Intervals {
    /// Those of `remit serve`.
    fn default() -> Self {
        Self {
            webhook_poll: dispatch::POLL,
            mail_poll: mail_send::POLL,
            login_failure_sweep: LOGIN_FAILURE_SWEEP,
            refund_poll: refunds::POLL,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Open(#[source] StoreError),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] StoreError),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: String, source: io::Error },
    #[error("cannot read the bound address: {0}")]
    Address(#[source] io::Error),
    #[error("cannot start the webhook dispatcher: {0}")]
    Dispatcher(#[source] reqwest::Error),
    #[error("cannot set up mail: {0}")]
    Mail(#[source] MailSetupError),
    #[error("server failed: {0}")]
    Serve(#[source] io::Error),
}

/// Opens the database at `url` and brings its schema up to date.
pub async fn open_database(url: &str) -> Result<Store, StartError> {
    let store = Store::connect(url).await.map_err(StartError::Open)?;
    store.migrate().await.map_err(StartError::Migrate)?;
    Ok(store)
}

/// A server ready to run: its database open and migrated, its port bound.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    state: AppState,
    dispatcher: Dispatcher,
    sender: Option<Sender>,
    refunds: RefundSender,
    intervals: Intervals,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let store = open_database(&config.database_url).await?;
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(|source| StartError::Listen {
                address: format!("{}:{}", config.host, config.port),
                source,
            })?;
        let address = listener.local_addr().map_err(StartError::Address)?;
        let dispatcher = Dispatcher::new(
            store.clone(),
            config.clock.clone(),
            config.intervals.webhook_poll,
        )
        .map_err(StartError::Dispatcher)?;
        let sender = match &config.mail {
            Some(mail) => Some(
                mail.sender(
                    store.clone(),
                    config.clock.clone(),
                    config.intervals.mail_poll,
                )
                .map_err(StartError::Mail)?,
            ),
            None => {
                tracing::info!("no SMTP relay configured (--smtp-url): mail waits in the queue");
                None
            }
        };
        let refunds = RefundSender::new(
            store.clone(),
            config.clock.clone(),
            config.gateways.clone(),
            config.intervals.refund_poll,
        );
        Ok(Self {
            listener,
            address,
            state: AppState {
                store,
                clock: config.clock,
                dist: config.dist,
                portal: PortalConfig {
                    trusted_proxy: config.trusted_proxy,
                    views: ViewLog::default(),
                },
                gateways: config.gateways,
            },
            dispatcher,
            sender,
            refunds,
            intervals: config.intervals,
        })
    }

    /// Where it listens (the port the OS chose, when asked for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Serves and runs the background tasks until `shutdown` resolves; then lets the requests in flight
    /// finish and the tasks stop (the dispatcher finishes the delivery it is sending). The database
    /// stays open for the caller to close.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let (stop, stopped) = watch::channel(false);
        let sweeper = tokio::spawn(sweep_login_failures(
            self.state.store.clone(),
            self.state.clock.clone(),
            self.intervals.login_failure_sweep,
            stopped.clone(),
        ));
        let sender = self
            .sender
            .map(|sender| tokio::spawn(sender.run(stopped.clone())));
        let refunds = tokio::spawn(self.refunds.run(stopped.clone()));
        let dispatcher = tokio::spawn(self.dispatcher.run(stopped));
        // The portal's lookup throttle and view log read the client's address from the connection.
        let service = app(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        stop.send_replace(true);
        let mut tasks = vec![
            (dispatcher, "webhook dispatcher"),
            (refunds, "refund sender"),
            (sweeper, "sweeper"),
        ];
        tasks.extend(sender.map(|task| (task, "mail sender")));
        for (task, name) in tasks {
            if let Err(e) = task.await {
                tracing::error!("the {name} failed: {e}");
            }
        }
        served.map_err(StartError::Serve)
    }
}

/// Forgets stale sign-in failures every `every` until `stop` turns true (or its sender is dropped).
async fn sweep_login_failures(
    store: Store,
    clock: Clock,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            changed = stop.changed() => if changed.is_err() || *stop.borrow() { break },
        }
        match accounts::forget_stale_login_failures(&store, &clock).await {
            Ok(forgotten) => tracing::debug!(forgotten, "stale sign-in failures forgotten"),
            Err(e) => tracing::warn!("cannot forget stale sign-in failures: {e}"),
        }
        match views::erase_old_details(&store, &clock).await {
            Ok(erased) => tracing::debug!(erased, "old portal view details erased"),
            Err(e) => tracing::warn!("cannot erase old portal view details: {e}"),
        }
    }
}
