//! The shared backend: PostgreSQL through `tokio-postgres` and a
//! `deadpool-postgres` pool, so that several replicas share one database.
//!
//! The store's methods are blocking (the web layer calls them inside
//! `spawn_blocking`, the command line outside any runtime), so the pool and
//! the connections' I/O tasks live on a small runtime of their own. A store
//! call takes a connection from the pool on that runtime and then awaits
//! each statement's reply with `futures_executor::block_on` on the calling
//! thread: the reply comes back over the connection task's channel, so no
//! runtime is entered twice, whatever thread calls. Statements are prepared
//! once per connection (the pool's statement cache).
//!
//! No TLS: `NoTls` is for a database on the same host (unix socket) or a
//! trusted network; see the crate README.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::types::private::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::sql::{Columns, Row, Sql, Value, pg_placeholders};
use crate::Error;
use crate::error::{StorageError, UnexpectedValue};

/// Connections per process: three replicas stay well under PostgreSQL's
/// default limit of 100.
pub(super) const POOL_SIZE: usize = 16;

/// A pool of connections to one PostgreSQL database.
pub(super) struct Postgres {
    pool: Pool,
    handle: tokio::runtime::Handle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Postgres {
    // The URL may hold a password: only the pool's size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("pool_size", &self.pool.status().max_size)
            .finish_non_exhaustive()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A runtime may not be dropped from async code; this never blocks.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Postgres {
    /// Connects to `url` (`postgres://user@host:port/db`, or a unix socket
    /// directory as `host=`); with `schema`, every connection works in that
    /// schema, created when missing (the tests' isolation).
    pub(super) fn connect(url: &str, schema: Option<&str>) -> Result<Self, Error> {
        let mut config: tokio_postgres::Config = url.parse().map_err(Error::DatabaseUrl)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(Error::Invalid(format!("bad schema name `{schema}`")));
            }
            config.options(format!("-c search_path={schema}"));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("smart-container-pg")
            .enable_all()
            .build()
            .map_err(Error::io("start the database runtime"))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(10)))
            // A request waits at most this long for a free connection, then
            // fails with the reason instead of hanging.
            .wait_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(StorageError::PoolBuild)?;
        let pg = Self {
            pool,
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        };
        // Fail at start, with the reason, when the database is unreachable.
        let client = pg.client()?;
        if let Some(schema) = schema {
            futures_executor::block_on(
                client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")),
            )?;
        }
        Ok(pg)
    }

    /// A connection from the pool. Inside the pool runtime's context, so
    /// that a new connection's socket and task belong to that runtime; an
    /// idle connection is handed over on this thread without a hop.
    fn client(&self) -> Result<Object, Error> {
        let _context = self.handle.enter();
        futures_executor::block_on(self.pool.get()).map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => Error::from(e),
            other => StorageError::Pool(other).into(),
        })
    }

    /// Runs `f` on a pooled connection, each statement committed on its own.
    pub(super) fn run<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let client = self.client()?;
        f(&mut PgConn {
            client: &client,
            counter,
        })
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`, rolled
    /// back otherwise. A connection left inside a transaction (a panic, a
    /// failed rollback) is closed rather than returned to the pool.
    pub(super) fn transaction<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut guard = Detach(None);
        let client: &Object = guard.0.insert(self.client()?);
        let mut conn = PgConn { client, counter };
        conn.batch("BEGIN")?;
        let out = f(&mut conn);
        let end = conn.batch(if out.is_ok() { "COMMIT" } else { "ROLLBACK" });
        if end.is_ok() {
            // Back to the pool in a clean state.
            drop(guard.0.take());
        }
        match (out, end) {
            (Ok(v), Ok(())) => Ok(v),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    }
}

/// Closes a connection on drop instead of pooling it, unless taken out.
struct Detach(Option<Object>);

impl Drop for Detach {
    fn drop(&mut self) {
        if let Some(obj) = self.0.take() {
            drop(Object::take(obj));
        }
    }
}

struct PgConn<'a> {
    client: &'a Object,
    counter: &'a AtomicU64,
}

impl PgConn<'_> {
    fn params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
        params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
    }
}

impl Sql for PgConn<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, Error> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        let sql = pg_placeholders(sql);
        let params = Self::params(params);
        futures_executor::block_on(async {
            let stmt = self.client.prepare_cached(&sql).await?;
            self.client.execute(&stmt, &params).await
        })
        .map_err(Error::from)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, Error> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        let sql = pg_placeholders(sql);
        let params = Self::params(params);
        let rows = futures_executor::block_on(async {
            let stmt = self.client.prepare_cached(&sql).await?;
            self.client.query(&stmt, &params).await
        })?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let names: Columns = first.columns().iter().map(|c| c.name().into()).collect();
        rows.iter().map(|r| to_row(r, &names)).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), Error> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        Ok(futures_executor::block_on(self.client.batch_execute(sql))?)
    }
}

fn to_row(r: &tokio_postgres::Row, names: &Columns) -> Result<Row, Error> {
    let mut out = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)?
                .map(|n| Value::Int(n.into())),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)?
                .map(|n| Value::Int(n.into())),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)?
                .map(|b| Value::Int(b.into())),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                r.try_get::<_, Option<String>>(i)?.map(Value::Text)
            }
            Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            ref other => {
                return Err(UnexpectedValue::UnsupportedType {
                    column: col.name().to_owned(),
                    sql_type: other.name().to_owned(),
                }
                .into());
            }
        };
        out.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(out, names.clone()))
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            // The schema's integers are BIGINT; a narrower column (COUNT
            // targets, older tables) gets the value narrowed, or an error.
            Self::Int(n) => match *ty {
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Self::Text(s) => s.as_str().to_sql(ty, out),
            Self::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}
