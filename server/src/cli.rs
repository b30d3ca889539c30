//! The `remit` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use remit_core::einvoice::report;
use remit_core::ids::OrganisationId;
use tracing_subscriber::EnvFilter;

use crate::application::{self, Application, Config, Intervals};
use crate::auth::accounts::{self, NewAccount};
use crate::auth::{Organisation, Role};
use crate::clock::Clock;
use crate::gateway::GatewayConfig;
use crate::gateway::settings::{self, GatewaySettings};
use crate::mail::{DkimKey, MailConfig};
use crate::store::gateway::GatewayAccount;
use crate::store::{Store, accounts as store_accounts};
use crate::sync::system::SystemClient;
use crate::webhooks;

#[derive(Debug, Parser)]
#[command(name = "remit", version, about = "Remit: offline-first invoicing")]
pub struct Cli {
    /// How log lines (on stderr) are written; which ones is chosen by `REMIT_LOG` (default `info`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "REMIT_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// For people reading a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app and its API.
    Serve(ServeArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bring the database schema up to date (`serve` does this too).
    Migrate(DbArgs),
    /// Manage the endpoints that receive an organisation's webhooks (docs/webhooks.md).
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Set an organisation's payment gateway; its secrets are read from files, so that they never
    /// stand in a shell's history or a process list.
    Gateway {
        #[command(subcommand)]
        command: GatewayCommand,
    },
    /// Read UBL 2.1 and UN/CEFACT CII e-invoices (EN 16931, Peppol BIS 3) and compute their totals.
    Einvoice {
        #[command(subcommand)]
        command: EinvoiceCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum EinvoiceCommand {
    /// Print one JSON line per document with the totals core computes. Exits 2 when a file is
    /// unreadable, else 0.
    Totals(EinvoiceArgs),
    /// Print the same lines; exit 0 when every document is consistent, 1 when any breaks a rule, 2 when
    /// a file is unreadable.
    Check(EinvoiceArgs),
}

#[derive(Debug, Args)]
pub struct EinvoiceArgs {
    /// UBL or CII files, or Factur-X / ZUGFeRD PDFs (the XML they embed); a rule test set prints one
    /// line per fragment.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user to an organisation, creating the organisation if none has that name.
    Add(UserAddArgs),
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Send the organisation's events to a URL; prints the endpoint's signing secret.
    Add(WebhookAddArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WebhookAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The organisation's name or id.
    #[arg(long)]
    pub org: String,
    /// Where events are POSTed: an absolute http or https URL.
    #[arg(long)]
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum GatewayCommand {
    /// Take the organisation's online payments through the sandbox or Stripe, replacing any gateway
    /// before; prints what may be read of it and where Stripe is to send its webhooks.
    Set(GatewaySetArgs),
}

#[derive(Debug, Clone, Args)]
pub struct GatewaySetArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The organisation's name or id.
    #[arg(long)]
    pub organisation: String,
    /// `sandbox` (no secrets) or `stripe`.
    #[arg(long)]
    pub provider: String,
    /// A file holding Stripe's secret key (`sk_…`) or restricted key (`rk_…`).
    #[arg(long)]
    pub secret_key_file: Option<PathBuf>,
    /// A file holding one of Stripe's webhook signing secrets (`whsec_…`); given twice during a
    /// rotation, for the old and the new.
    #[arg(long)]
    pub webhook_secret_file: Vec<PathBuf>,
}

/// The most read of a file holding one key or secret.
const MAX_SECRET_FILE: usize = 4096;

impl GatewaySetArgs {
    /// The gateway the flags and files give, checked as `PUT /api/gateway` checks it; an error names
    /// the flag, never a secret.
    pub fn account(&self) -> Result<GatewayAccount, String> {
        let read = |flag: &str, file: &Path| {
            let bytes = read_at_most(file, MAX_SECRET_FILE)
                .map_err(|e| format!("{flag} {}: {e}", file.display()))?;
            String::from_utf8(bytes)
                .map(|text| text.trim().to_owned())
                .map_err(|_| format!("{flag} {}: not UTF-8 text", file.display()))
        };
        let secret_key = match &self.secret_key_file {
            Some(file) => read("--secret-key-file", file)?,
            None => String::new(),
        };
        let webhook_secrets = self
            .webhook_secret_file
            .iter()
            .map(|file| read("--webhook-secret-file", file))
            .collect::<Result<_, _>>()?;
        let settings = GatewaySettings {
            provider: self.provider.clone(),
            secret_key,
            webhook_secrets,
        };
        settings.account().map_err(|e| {
            let flag = match e.field.as_str() {
                "provider" => "--provider",
                "secret_key" => "--secret-key-file",
                _ => "--webhook-secret-file",
            };
            format!("{flag}: {e}")
        })
    }
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST/DB`. Default: `remit.db` in the data folder.
    #[arg(long, env = "REMIT_DATABASE_URL")]
    pub db: Option<String>,
    /// Folder for Remit's own files (the SQLite database by default); created if missing.
    #[arg(long, default_value = "./data", env = "REMIT_DATA")]
    pub data: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The built app (Trunk's output).
    #[arg(long, default_value = "./dist")]
    pub dist: PathBuf,
    #[command(flatten)]
    pub mail: MailArgs,
    /// The reverse proxy's address: requests from it name the client in `X-Forwarded-For`, which is
    /// ignored from anyone else.
    #[arg(long, env = "REMIT_TRUSTED_PROXY")]
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// Stripe's API address; another only for a stand-in that speaks the same contract (tests).
    #[arg(long, env = "REMIT_STRIPE_API_URL", default_value = crate::gateway::STRIPE_API_URL)]
    pub stripe_api_url: String,
    /// How old, in seconds, a Stripe webhook's signed time may be before it is refused.
    #[arg(long, env = "REMIT_STRIPE_WEBHOOK_TOLERANCE", default_value_t = 300)]
    pub stripe_webhook_tolerance: u64,
}

/// How mail is sent.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// The SMTP relay mail goes through: `smtp://host:port` (no TLS), `smtp://host:port?tls=required`
    /// (STARTTLS) or `smtps://host:port`. Without it, mail waits in the queue, shown as not sent.
    #[arg(long, env = "REMIT_SMTP_URL", requires = "mail_from")]
    pub smtp_url: Option<String>,
    /// The operator's address every message is from (`Remit <billing@remit.example>`); replies go to
    /// the organisation's address.
    #[arg(long, env = "REMIT_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// A DKIM private key to sign every message with: an RSA key in PKCS#1 PEM, or an Ed25519 key as
    /// base64 of its 32 bytes.
    #[arg(long, env = "REMIT_DKIM_KEY", requires = "dkim_selector")]
    pub dkim_key: Option<PathBuf>,
    /// The DKIM selector the public key is published under (`<selector>._domainkey.<domain>`).
    #[arg(long, env = "REMIT_DKIM_SELECTOR")]
    pub dkim_selector: Option<String>,
    /// The DKIM signing domain; default: the domain of `--mail-from`.
    #[arg(long, env = "REMIT_DKIM_DOMAIN")]
    pub dkim_domain: Option<String>,
}

impl MailArgs {
    /// The mail configuration, or `None` without `--smtp-url`. Documents are sent with their PDF and
    /// UBL.
    pub fn config(&self) -> Result<Option<MailConfig>, String> {
        let Some(smtp_url) = &self.smtp_url else {
            return Ok(None);
        };
        let from = self
            .mail_from
            .clone()
            .ok_or("--smtp-url needs --mail-from")?;
        let dkim = match (&self.dkim_key, &self.dkim_selector) {
            (Some(path), Some(selector)) => {
                let private_key = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the DKIM key {}: {e}", path.display()))?;
                Some(DkimKey {
                    selector: selector.clone(),
                    domain: self.dkim_domain.clone(),
                    ed25519: !private_key.contains("-----BEGIN"),
                    private_key,
                })
            }
            _ => None,
        };
        Ok(Some(MailConfig {
            smtp_url: smtp_url.clone(),
            from,
            dkim,
            attachments: None,
        }))
    }
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The organisation's name; created when no organisation has it.
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub password: String,
    /// The user's display name; defaults to the e-mail address.
    #[arg(long)]
    pub name: Option<String>,
    /// The time zone of a new organisation.
    #[arg(long, default_value = "Europe/Berlin")]
    pub time_zone: String,
    /// The default currency of a new organisation.
    #[arg(long, default_value = "EUR")]
    pub currency: String,
    #[arg(long, value_parser = parse_role, default_value = "owner")]
    pub role: Role,
}

/// Runs the command line; the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        // Pure computation over files: no logs, no runtime, no database; its exit status is a contract.
        Command::Einvoice { command } => return einvoice(&command, &mut std::io::stdout().lock()),
        Command::Serve(args) => Server::Serve(args),
        Command::Migrate(args) => Server::Migrate(args),
        Command::User {
            command: UserCommand::Add(args),
        } => Server::AddUser(args),
        Command::Webhook {
            command: WebhookCommand::Add(args),
        } => Server::AddWebhook(args),
        Command::Gateway {
            command: GatewayCommand::Set(args),
        } => Server::SetGateway(args),
    };
    init_logs(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `remit einvoice …`: the report lines go to `out`, each file read and reported on its own, so an
/// unreadable file does not stop the others.
pub fn einvoice(command: &EinvoiceCommand, out: &mut impl std::io::Write) -> ExitCode {
    let (args, checking) = match command {
        EinvoiceCommand::Totals(args) => (args, false),
        EinvoiceCommand::Check(args) => (args, true),
    };
    let lines: Vec<_> = args.files.iter().flat_map(|f| einvoice_file(f)).collect();
    for line in &lines {
        if writeln!(out, "{}", line.to_json()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    let status = report::exit_status(&lines);
    // `totals` only fails for an unreadable file; `check` also for a broken rule.
    let status = if checking || status == 2 { status } else { 0 };
    ExitCode::from(u8::try_from(status).unwrap_or(2))
}

/// The largest file `remit einvoice` reads, XML or PDF.
const MAX_EINVOICE_FILE_BYTES: usize = remit_documents::MAX_PDF_BYTES;

/// The lines of one file: an XML e-invoice as it is, a Factur-X / ZUGFeRD PDF through the XML it
/// embeds (an error inside that XML names the embedded file).
fn einvoice_file(file: &Path) -> Vec<report::ReportLine> {
    let name = file.display().to_string();
    let unreadable = |file: String, error: String| report::ReportLine::Unreadable {
        file,
        index: None,
        error,
    };
    let bytes = match read_at_most(file, MAX_EINVOICE_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(error) => return vec![unreadable(name, error)],
    };
    if !remit_documents::is_pdf(&bytes) {
        return report::for_file(&name, &bytes);
    }
    let embedded = match remit_documents::embedded_invoice(&bytes) {
        Ok(embedded) => embedded,
        Err(e) => return vec![unreadable(name, e.to_string())],
    };
    report::for_file(&name, &embedded.xml)
        .into_iter()
        .map(|line| match line {
            report::ReportLine::Unreadable { file, error, .. } => unreadable(
                file,
                format!("the embedded {}: {error}", embedded.file_name),
            ),
            document => document,
        })
        .collect()
}

/// The file's bytes, or why not: it cannot be read or is larger than `max` bytes.
fn read_at_most(file: &Path, max: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    std::fs::File::open(file)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() > max {
        return Err(format!(
            "the file is larger than {max} bytes, the most read"
        ));
    }
    Ok(bytes)
}

/// Logs go to stderr (stdout carries the address line scripts read), filtered by `REMIT_LOG`.
fn init_logs(format: LogFormat) {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("REMIT_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
}

/// The commands that work on a database.
enum Server {
    Serve(ServeArgs),
    Migrate(DbArgs),
    AddUser(UserAddArgs),
    AddWebhook(WebhookAddArgs),
    SetGateway(GatewaySetArgs),
}

async fn run(command: Server) -> Result<(), String> {
    match command {
        Server::Serve(args) => serve(args).await,
        Server::Migrate(args) => {
            let store = open(&args).await?;
            store.close().await;
            println!("The database is up to date.");
            Ok(())
        }
        Server::AddUser(args) => add_user(args).await,
        Server::AddWebhook(args) => add_webhook(args).await,
        Server::SetGateway(args) => set_gateway(args).await,
    }
}

/// The database URL to use: the one given, else a SQLite file in the data folder.
pub fn database_url(args: &DbArgs) -> Result<String, String> {
    match &args.db {
        Some(url) => Ok(url.clone()),
        None => {
            std::fs::create_dir_all(&args.data)
                .map_err(|e| format!("cannot create {}: {e}", args.data.display()))?;
            Ok(sqlite_url(&args.data.join("remit.db")))
        }
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Opens and migrates the database.
async fn open(args: &DbArgs) -> Result<Store, String> {
    let url = database_url(args)?;
    application::open_database(&url)
        .await
        .map_err(|e| e.to_string())
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    if !args.dist.join("index.html").is_file() {
        tracing::warn!(dist = %args.dist.display(), "no index.html in the dist folder: only the API is served");
    }
    let server = Application::build(Config {
        database_url: database_url(&args.db)?,
        host: args.host,
        port: args.port,
        dist: args.dist,
        clock: Clock::system(),
        intervals: Intervals::default(),
        mail: args.mail.config()?,
        trusted_proxy: args.trusted_proxy,
        gateways: GatewayConfig::new(
            args.stripe_api_url,
            std::time::Duration::from_secs(args.stripe_webhook_tolerance),
        )
        .map_err(|e| e.to_string())?,
    })
    .await
    .map_err(|e| e.to_string())?;
    let store = server.store().clone();
    // Scripts and tests read this line to learn the address (the port may have been chosen by the OS).
    println!("Remit is running at http://{}", server.address());
    let served = server.run_until_stopped(shutdown_signal()).await;
    store.close().await;
    served.map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM; in-flight requests then finish before the server stops.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn add_user(args: UserAddArgs) -> Result<(), String> {
    let store = open(&args.db).await?;
    let account = accounts::add_user(
        &store,
        &Clock::system(),
        NewAccount {
            organisation_name: args.org,
            time_zone: args.time_zone,
            currency: args.currency,
            name: args.name.unwrap_or_else(|| args.email.clone()),
            email: args.email,
            password: args.password,
            role: args.role,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "Added user {} ({}) in {} organisation {:?} ({})",
        account.user.email,
        account.user.role.as_str(),
        if account.organisation_created {
            "new"
        } else {
            "existing"
        },
        account.organisation.name,
        account.organisation.id
    );
    Ok(())
}

async fn add_webhook(args: WebhookAddArgs) -> Result<(), String> {
    let url = webhooks::check_url(&args.url).map_err(|e| e.to_string())?;
    let store = open(&args.db).await?;
    let organisation = find_organisation(&store, &args.org).await?;
    let endpoint = webhooks::register(&store, organisation.id, &url, Clock::system().now_ms())
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "Added webhook endpoint {} for organisation {:?} ({}): {}",
        endpoint.id, organisation.name, organisation.id, endpoint.url
    );
    println!("Signing secret: {}", endpoint.secret);
    Ok(())
}

async fn set_gateway(args: GatewaySetArgs) -> Result<(), String> {
    let account = args.account()?;
    let store = open(&args.db).await?;
    let organisation = find_organisation(&store, &args.organisation).await?;
    let by = SystemClient::of(organisation.id).user;
    let set = settings::set(
        &store,
        (organisation.id, by),
        &account,
        Clock::system().now_ms(),
    )
    .await
    .map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "Set the payment gateway of organisation {:?} ({}): {}",
        organisation.name,
        organisation.id,
        set.provider.name()
    );
    if let Some(hint) = &set.key_hint {
        println!(
            "Key ending in {hint}, {} webhook signing secret(s)",
            set.webhook_secrets
        );
    }
    if let Some(url) = &set.webhook_url {
        println!("Stripe is to send its webhooks to this server's {url}");
    }
    Ok(())
}

/// The organisation with this id, or else the one with this name.
async fn find_organisation(store: &Store, name_or_id: &str) -> Result<Organisation, String> {
    let mut conn = store.read().await.map_err(|e| e.to_string())?;
    if let Ok(id) = OrganisationId::parse(name_or_id)
        && let Some(organisation) = store_accounts::organisation(&mut conn, id)
            .await
            .map_err(|e| e.to_string())?
    {
        return Ok(organisation);
    }
    let mut named = store_accounts::organisations_named(&mut conn, name_or_id)
        .await
        .map_err(|e| e.to_string())?;
    match named.len() {
        0 => Err(format!(
            "no organisation is named or has the id {name_or_id:?}"
        )),
        1 => Ok(named.remove(0)),
        _ => Err(format!(
            "several organisations are named {name_or_id:?}: give the id instead"
        )),
    }
}

/// Reads `--role` with core's rule for role names; the command line also takes them in kebab case
/// (`read-only`), as command-line flags are usually written.
fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(&text.replace('-', "_")).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_e_invoice_file_larger_than_the_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.xml");
        std::fs::write(&file, b"0123456789a").unwrap();
        assert_eq!(read_at_most(&file, 11).unwrap().len(), 11);
        let e = read_at_most(&file, 10).unwrap_err();
        assert!(e.contains("larger than 10 bytes"), "{e}");
        assert!(read_at_most(&dir.path().join("missing.xml"), 10).is_err());
    }

    fn serve_args(extra: &[&str]) -> Result<ServeArgs, clap::Error> {
        let args = ["remit", "serve"].iter().chain(extra);
        match Cli::try_parse_from(args)?.command {
            Command::Serve(args) => Ok(args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mail_is_sent_only_with_an_smtp_url_and_an_operator_address() {
        assert!(serve_args(&[]).unwrap().mail.config().unwrap().is_none());
        assert!(serve_args(&["--smtp-url", "smtp://127.0.0.1:2525"]).is_err());
        let args = serve_args(&[
            "--smtp-url",
            "smtp://127.0.0.1:2525",
            "--mail-from",
            "Remit <mail@remit.example>",
        ])
        .unwrap();
        let config = args.mail.config().unwrap().unwrap();
        assert_eq!(config.smtp_url, "smtp://127.0.0.1:2525");
        assert_eq!(config.from, "Remit <mail@remit.example>");
        assert!(config.dkim.is_none());
        assert!(
            serve_args(&["--dkim-key", "/nonexistent.pem"]).is_err(),
            "needs a selector"
        );
        let missing_key = serve_args(&[
            "--smtp-url",
            "smtp://127.0.0.1:2525",
            "--mail-from",
            "mail@remit.example",
            "--dkim-key",
            "/nonexistent/dkim.pem",
            "--dkim-selector",
            "mail2026",
        ])
        .unwrap();
        let error = missing_key.mail.config().unwrap_err();
        assert!(error.contains("/nonexistent/dkim.pem"), "{error}");
    }

    #[test]
    fn the_command_line_reads_as_documented() {
        let cli =
            Cli::try_parse_from(["remit", "serve", "--port", "0", "--data", "/tmp/x"]).unwrap();
        match cli.command {
            Command::Serve(args) => {
                assert_eq!(args.port, 0);
                assert_eq!(args.host, "127.0.0.1");
                assert_eq!(args.dist, PathBuf::from("./dist"));
                assert_eq!(
                    database_url(&DbArgs {
                        db: None,
                        data: args.db.data
                    })
                    .unwrap(),
                    "sqlite:///tmp/x/remit.db"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cli.log_format, LogFormat::Text);
        let cli = Cli::try_parse_from(["remit", "migrate", "--log-format", "json"]).unwrap();
        assert_eq!(cli.log_format, LogFormat::Json);
        assert!(Cli::try_parse_from(["remit", "migrate", "--log-format", "yaml"]).is_err());
        let cli = Cli::try_parse_from([
            "remit",
            "user",
            "add",
            "--org",
            "Acme",
            "--email",
            "a@acme.example",
            "--password",
            "0123456789",
            "--role",
            "read-only",
        ])
        .unwrap();
        match cli.command {
            Command::User {
                command: UserCommand::Add(args),
            } => {
                assert_eq!(args.role, Role::ReadOnly);
                assert_eq!(args.currency, "EUR");
                assert_eq!(args.time_zone, "Europe/Berlin");
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from([
            "remit",
            "webhook",
            "add",
            "--org",
            "Acme GmbH",
            "--url",
            "https://erp.example/hooks/remit",
        ])
        .unwrap();
        match cli.command {
            Command::Webhook {
                command: WebhookCommand::Add(args),
            } => {
                assert_eq!(args.org, "Acme GmbH");
                assert_eq!(args.url, "https://erp.example/hooks/remit");
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["remit", "webhook", "add", "--org", "Acme"]).is_err());
    }

    fn gateway_args(extra: &[&str]) -> Result<GatewaySetArgs, clap::Error> {
        let args = ["remit", "gateway", "set"].iter().chain(extra);
        match Cli::try_parse_from(args)?.command {
            Command::Gateway {
                command: GatewayCommand::Set(args),
            } => Ok(args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_gateways_secrets_are_read_from_files_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path.display().to_string()
        };
        let key = file("key", "sk_test_remit0example0key\n");
        let old = file("old", "whsec_old1\n");
        let new = file("new", "  whsec_new2");
        let args = gateway_args(&[
            "--organisation",
            "Acme GmbH",
            "--provider",
            "stripe",
            "--secret-key-file",
            &key,
            "--webhook-secret-file",
            &old,
            "--webhook-secret-file",
            &new,
        ])
        .unwrap();
        assert_eq!(args.organisation, "Acme GmbH");
        let account = args.account().unwrap();
        assert_eq!(account.secret_key, "sk_test_remit0example0key");
        assert_eq!(account.webhook_secrets, ["whsec_old1", "whsec_new2"]);

        // A secret is never a flag's value, where shell history and process lists keep it.
        assert!(
            gateway_args(&[
                "--organisation",
                "Acme",
                "--provider",
                "stripe",
                "--secret-key",
                "sk_x"
            ])
            .is_err()
        );
        let sandbox = gateway_args(&["--organisation", "Acme", "--provider", "sandbox"]).unwrap();
        assert_eq!(sandbox.account().unwrap().provider.name(), "sandbox");

        // Errors name the flag, and never hold what the file holds.
        let publishable = file("publishable", "pk_live_secret0text");
        let no_secret = gateway_args(&[
            "--organisation",
            "Acme",
            "--provider",
            "stripe",
            "--secret-key-file",
            &key,
        ])
        .unwrap();
        let error = no_secret.account().unwrap_err();
        assert!(
            error.starts_with("--webhook-secret-file: webhook_secrets"),
            "{error}"
        );
        let wrong_key = gateway_args(&[
            "--organisation",
            "Acme",
            "--provider",
            "stripe",
            "--secret-key-file",
            &publishable,
            "--webhook-secret-file",
            &old,
        ])
        .unwrap();
        let error = wrong_key.account().unwrap_err();
        assert!(
            error.starts_with("--secret-key-file: secret_key"),
            "{error}"
        );
        assert!(!error.contains("secret0text"), "{error}");
        let missing = dir.path().join("missing").display().to_string();
        let unreadable = gateway_args(&[
            "--organisation",
            "Acme",
            "--provider",
            "stripe",
            "--secret-key-file",
            &missing,
        ])
        .unwrap();
        let error = unreadable.account().unwrap_err();
        assert!(
            error.contains("--secret-key-file") && error.contains("missing"),
            "{error}"
        );
    }
}
