//! What the editor writes: save, delete and issue, each a Leptos `Action` (its pending state and its
//! result are the action's). Each goes where the result shows: home after a save or a delete, the
//! issued invoice after issuing.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use remit_core::document::InvoiceDraft;
use remit_core::document::issued::{IssueInvoice, NumberSource};
use remit_core::ids::InvoiceId;
use remit_core::sync::Command;
use remit_core::sync::mutation::DraftRef;
use uuid::Uuid;

use crate::state::{AppState, use_app};

/// The editor's writes. Each resolves to the message to show when it failed.
#[derive(Clone, Copy)]
pub struct DraftActions {
    pub save: Action<InvoiceDraft, Result<(), String>>,
    pub delete: Action<DraftRef, Result<(), String>>,
    pub issue: Action<InvoiceDraft, Result<(), String>>,
}

impl DraftActions {
    pub fn new() -> Self {
        let app = use_app();
        let navigate = use_navigate();
        let home = {
            let navigate = navigate.clone();
            move || navigate("/", NavigateOptions::default())
        };
        let save = {
            let home = home.clone();
            Action::new_local(move |draft: &InvoiceDraft| {
                let (draft, home) = (draft.clone(), home.clone());
                async move {
                    app.record(Command::SaveDraft(draft))
                        .await
                        .map_err(|e| e.to_string())?;
                    home();
                    Ok(())
                }
            })
        };
        let delete = Action::new_local(move |draft: &DraftRef| {
            let (draft, home) = (draft.clone(), home.clone());
            async move {
                app.record(Command::DeleteDraft(draft))
                    .await
                    .map_err(|e| e.to_string())?;
                home();
                Ok(())
            }
        });
        let issue = Action::new_local(move |draft: &InvoiceDraft| {
            let (draft, navigate) = (draft.clone(), navigate.clone());
            async move {
                let invoice_id = issue(app, draft).await?;
                navigate(
                    &format!("/invoices/{invoice_id}"),
                    NavigateOptions::default(),
                );
                Ok(())
            }
        });
        Self {
            save,
            delete,
            issue,
        }
    }

    /// Whether any write is under way (the buttons wait).
    pub fn pending(&self) -> bool {
        self.save.pending().get() || self.delete.pending().get() || self.issue.pending().get()
    }

    /// The last failure of any write.
    pub fn error(&self) -> Option<String> {
        [self.save.value(), self.delete.value(), self.issue.value()]
            .into_iter()
            .find_map(|value| value.get().and_then(Result::err))
    }
}

/// Issues `draft` under a new invoice id: online for the server's next number, offline under this
/// device's next leased number as core decides it. Returns the new invoice's id.
async fn issue(app: AppState, draft: InvoiceDraft) -> Result<InvoiceId, String> {
    let invoice_id = InvoiceId::try_from(Uuid::now_v7()).map_err(|e| e.to_string())?;
    if app.sync.reaches_server_untracked() {
        issue_online(app, invoice_id, draft).await?;
    } else {
        // Core decides the number and the invoice from this device's own copies.
        match app.issue_offline(invoice_id, draft).await {
            Ok(Ok(())) => {}
            Ok(Err(refused)) => return Err(refused.message),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(invoice_id)
}

/// Sends the draft for the server's next number: a request the server may refuse (shown with the
/// refused changes), so nothing is decided here beyond what core checks of the draft itself.
async fn issue_online(
    app: AppState,
    invoice_id: InvoiceId,
    draft: InvoiceDraft,
) -> Result<(), String> {
    let issue = IssueInvoice {
        invoice_id,
        draft,
        number: NumberSource::Server,
    };
    issue.validate().map_err(|e| e.to_string())?;
    app.record(Command::IssueInvoice(issue))
        .await
        .map_err(|e| e.to_string())
}
