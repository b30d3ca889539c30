//! A list of records as a table: each row opens its record, columns sort, and long lists are paged.
//! Built for the lists that will hold thousands of records; the rows are given already loaded.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use rust_decimal::Decimal;

/// What a column sorts by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Text(String),
    Number(Decimal),
    Date(NaiveDate),
    /// A value not known yet (an amount core cannot compute); sorts after the others.
    Missing,
}

type Cell<T> = Arc<dyn Fn(&T) -> AnyView + Send + Sync>;
type Sort<T> = Arc<dyn Fn(&T) -> SortKey + Send + Sync>;

/// One column: its header, its cells' class (`num`, `date`, `code`), how a cell shows, and whether and
/// how the column sorts.
pub struct Column<T> {
    header: &'static str,
    class: &'static str,
    cell: Cell<T>,
    sort: Option<Sort<T>>,
}

impl<T> Clone for Column<T> {
    fn clone(&self) -> Self {
        Self {
            header: self.header,
            class: self.class,
            cell: self.cell.clone(),
            sort: self.sort.clone(),
        }
    }
}

impl<T> Column<T> {
    pub fn new<V: IntoView + 'static>(
        header: &'static str,
        cell: impl Fn(&T) -> V + Send + Sync + 'static,
    ) -> Self {
        Self {
            header,
            class: "",
            cell: Arc::new(move |row| cell(row).into_any()),
            sort: None,
        }
    }

    /// The class of the header and the cells (`num` right-aligns, `date` keeps a date on one line).
    pub fn class(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }

    /// Makes the column sortable by `key`.
    pub fn sort_by(mut self, key: impl Fn(&T) -> SortKey + Send + Sync + 'static) -> Self {
        self.sort = Some(Arc::new(key));
        self
    }
}

/// Which column the table is sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sorting {
    column: usize,
    ascending: bool,
}

/// The rows and columns with their type erased: everything below works on row and column indexes, so
/// the table's code is in the wasm once, not once per kind of row listed.
#[derive(Clone)]
struct Erased {
    headers: Vec<(&'static str, &'static str, bool)>,
    cell: Arc<dyn Fn(usize, usize) -> AnyView + Send + Sync>,
    key: Arc<dyn Fn(usize, usize) -> Option<SortKey> + Send + Sync>,
    href: Arc<dyn Fn(usize) -> String + Send + Sync>,
}

/// `view! { <DataTable rows columns=vec![Column::new("Name", |c: &Customer| c.name.clone())]
/// href=|c: &Customer| format!("/customers/{}", c.id) row_testid="customer-row" /> }`
#[component]
pub fn DataTable<T>(
    rows: Vec<T>,
    columns: Vec<Column<T>>,
    /// Where a row leads when clicked (the first cell should hold a link there too, for keyboards).
    href: fn(&T) -> String,
    row_testid: &'static str,
    #[prop(default = 25)] page_size: usize,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let count = rows.len();
    let rows = Arc::new(rows);
    let columns = Arc::new(columns);
    let erased = Erased {
        headers: columns
            .iter()
            .map(|c| (c.header, c.class, c.sort.is_some()))
            .collect(),
        cell: {
            let (rows, columns) = (rows.clone(), columns.clone());
            Arc::new(move |row, column| (columns[column].cell)(&rows[row]))
        },
        key: {
            let (rows, columns) = (rows.clone(), columns);
            Arc::new(move |row, column| columns[column].sort.as_ref().map(|key| key(&rows[row])))
        },
        href: Arc::new(move |row| href(&rows[row])),
    };
    table(erased, count, row_testid, page_size)
}

fn table(table: Erased, count: usize, row_testid: &'static str, page_size: usize) -> AnyView {
    let sorting = RwSignal::new(None::<Sorting>);
    let page = RwSignal::new(0usize);
    let pages = count.div_ceil(page_size.max(1)).max(1);
    let navigate = use_navigate();
    let columns = table.headers.len();
    let key = table.key.clone();

    // Row indexes in display order: sorted (stable, so equal keys keep the given order), then paged.
    let shown = move || {
        let mut order: Vec<usize> = (0..count).collect();
        if let Some(Sorting { column, ascending }) = sorting.get() {
            order.sort_by(|&a, &b| {
                let ord = key(a, column).cmp(&key(b, column));
                if ascending { ord } else { ord.reverse() }
            });
        }
        let start = page.get() * page_size;
        order
            .into_iter()
            .skip(start)
            .take(page_size)
            .collect::<Vec<_>>()
    };
    let headers = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, &(title, class, sortable))| header(i, title, class, sortable, sorting, page))
        .collect_view();
    let classes: Vec<&'static str> = table.headers.iter().map(|h| h.1).collect();
    let body = move || {
        let navigate = navigate.clone();
        shown()
            .into_iter()
            .map(|i| {
                let target = (table.href)(i);
                let navigate = navigate.clone();
                let open = move |_| navigate(&target, NavigateOptions::default());
                let cells = (0..columns)
                    .map(|c| view! { <td class=classes[c]>{(table.cell)(i, c)}</td> })
                    .collect_view();
                view! {
                    <tr class="clickable" data-testid=row_testid on:click=open>
                        {cells}
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="table-scroll">
            <table class="list">
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! { <Pager page pages /> })}
    }
    .into_any()
}

/// A column header; a sortable one is a button that sorts ascending, then descending.
fn header(
    index: usize,
    title: &'static str,
    class: &'static str,
    sortable: bool,
    sorting: RwSignal<Option<Sorting>>,
    page: RwSignal<usize>,
) -> AnyView {
    if !sortable {
        return view! { <th scope="col" class=class>{title}</th> }.into_any();
    }
    let state = move || sorting.get().filter(|s| s.column == index);
    let aria = move || match state() {
        Some(Sorting {
            ascending: true, ..
        }) => "ascending",
        Some(Sorting {
            ascending: false, ..
        }) => "descending",
        None => "none",
    };
    let toggle = move |_| {
        let ascending = !matches!(
            state(),
            Some(Sorting {
                ascending: true,
                ..
            })
        );
        sorting.set(Some(Sorting {
            column: index,
            ascending,
        }));
        page.set(0);
    };
    view! {
        <th scope="col" class=class aria-sort=aria>
            <button type="button" class="sort" on:click=toggle>
                {title}
                <span aria-hidden="true">
                    {move || match state() {
                        Some(Sorting { ascending: true, .. }) => " ▲",
                        Some(Sorting { ascending: false, .. }) => " ▼",
                        None => "",
                    }}
                </span>
            </button>
        </th>
    }
    .into_any()
}

/// Previous and next over `pages` pages, with "Page n of N"; shared by the table's own paging and the
/// lists paged by the store.
#[component]
pub fn Pager(page: RwSignal<usize>, pages: usize) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            <button
                type="button"
                class="secondary"
                disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
            >
                "Previous"
            </button>
            <span>{move || format!("Page {} of {pages}", page.get() + 1)}</span>
            <button
                type="button"
                class="secondary"
                disabled=move || { page.get() + 1 >= pages }
                on:click=move |_| page.update(|p| *p = (*p + 1).min(pages - 1))
            >
                "Next"
            </button>
        </nav>
    }
}
