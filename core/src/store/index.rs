//! The materialized index: writing rows and the queries over them.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, ToSql, params};

use super::collection::{Collection, Entity, IndexRow};
use crate::crdt::DocId;
use crate::error::{Error, Result};
use crate::model::Reading;

/// The checksum kept beside each row's body (CRC-32, IEEE, since schema 14; 64-bit FNV-1a
/// before): a body changed or damaged behind the store's back no longer matches it, and is not
/// served. Not a defence against someone who can rewrite the file (they could fix the sum
/// too). CRC-32 runs on the processor's CRC instructions: FNV-1a, a byte at a time, was a
/// sixth of every 90-day statistic.
pub(crate) fn checksum(body: &str) -> i64 {
    i64::from(crc32fast::hash(body.as_bytes()))
}

/// Checks the body of a row against its checksum.
fn check(body: &str, sum: Option<i64>) -> Result<()> {
    if sum == Some(checksum(body)) {
        Ok(())
    } else {
        Err(Error::Corrupt {
            detail: "an index row does not match its checksum (repair the record)",
        })
    }
}

/// The body of a row, after checking it against its checksum.
fn verified(body: String, sum: Option<i64>) -> Result<String> {
    check(&body, sum)?;
    Ok(body)
}

/// Inserts or replaces the row of one entry.
pub(crate) fn upsert(
    conn: &Connection,
    coll: Collection,
    doc: DocId,
    row: &IndexRow,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO entries (collection, id, doc, tag, at_ms, ext_key, deleted, body, sum,
             until_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (collection, id) DO UPDATE SET doc = ?3, tag = ?4, at_ms = ?5,
             ext_key = ?6, deleted = ?7, body = ?8, sum = ?9, until_ms = ?10",
    )?
    .execute(params![
        coll.name(),
        row.id,
        doc.to_string(),
        row.tag,
        row.at_ms,
        row.ext_key,
        row.deleted,
        row.body,
        checksum(&row.body),
        row.until_ms
    ])?;
    Ok(())
}

/// Where an entry lives and whether it is deleted, if it exists at all.
pub(crate) fn locate(
    conn: &Connection,
    coll: Collection,
    id: &str,
) -> Result<Option<(DocId, bool)>> {
    let found: Option<(String, bool)> = conn
        .prepare_cached("SELECT doc, deleted FROM entries WHERE collection = ?1 AND id = ?2")?
        .query_row(params![coll.name(), id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        None => Ok(None),
        Some((doc, deleted)) => {
            DocId::parse(&doc)
                .map(|d| Some((d, deleted)))
                .ok_or(Error::Corrupt {
                    detail: "an index row names an unknown document",
                })
        }
    }
}

/// The live entry `id`, if any. A reading without a row of its own may be kept in an import
/// block; a row of its own, even deleted, hides the block's copy.
pub(crate) fn get<E: Entity>(conn: &Connection, id: &str) -> Result<Option<E>> {
    match own_row(conn, E::COLLECTION, id)? {
        Own::Live(body) => decode(&body).map(Some),
        Own::Deleted => Ok(None),
        Own::Absent if E::COLLECTION == Collection::Readings => {
            Ok(in_block(conn, id)?.and_then(E::from_block))
        }
        Own::Absent => Ok(None),
    }
}

/// What an entry's own row holds.
enum Own {
    /// A live entry's checked body.
    Live(String),
    Deleted,
    Absent,
}

/// The row of the entry `id` of `coll`. Not generic, like [`list_bodies`]: one copy of the
/// query in the library rather than one per entity type.
fn own_row(conn: &Connection, coll: Collection, id: &str) -> Result<Own> {
    let row: Option<(bool, String, Option<i64>)> = conn
        .prepare_cached("SELECT deleted, body, sum FROM entries WHERE collection = ?1 AND id = ?2")?
        .query_row(params![coll.name(), id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(match row {
        Some((false, body, sum)) => Own::Live(verified(body, sum)?),
        Some((true, ..)) => Own::Deleted,
        None => Own::Absent,
    })
}

/// The live entry with import key `ext_key`, if any.
pub(crate) fn find_external(
    conn: &Connection,
    coll: Collection,
    ext_key: &str,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM entries WHERE collection = ?1 AND ext_key = ?2 AND deleted = 0",
        )?
        .query_row(params![coll.name(), ext_key], |r| r.get(0))
        .optional()?)
}

/// A filter over the live entries of one collection, newest first unless `oldest_first`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Filter<'a> {
    pub tag: Option<&'a str>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only entries strictly before this `(at_ms, id)` position (keyset paging, newest first).
    pub before: Option<(i64, &'a str)>,
    pub limit: Option<u32>,
    /// Oldest first (by time, then id): what a statistic or a chart reads in, unreversed.
    pub oldest_first: bool,
}

/// The live entries matching `filter`, in its order (by time, then id), with their positions.
pub(crate) fn list<E: Entity>(conn: &Connection, filter: &Filter<'_>) -> Result<Vec<(i64, E)>> {
    let mut out = Vec::new();
    list_bodies(conn, E::COLLECTION, filter, &mut |at, item| {
        out.push((at, item.entity()?));
        Ok(())
    })?;
    Ok(out)
}

/// The live entries matching `filter`, in its order, without their positions: decoded into
/// their place in the list, never moved again.
pub(crate) fn entries<E: Entity>(conn: &Connection, filter: &Filter<'_>) -> Result<Vec<E>> {
    let mut out = Vec::new();
    list_bodies(conn, E::COLLECTION, filter, &mut |_, item| {
        out.push(item.entity()?);
        Ok(())
    })?;
    Ok(out)
}

/// One entry a list found: the body of its own row, or a reading of an import block.
pub(crate) enum Found<'a> {
    Body(&'a str),
    Reading(Reading),
}

impl Found<'_> {
    fn entity<E: Entity>(self) -> Result<E> {
        match self {
            Found::Body(body) => decode(body),
            Found::Reading(r) => E::from_block(r).ok_or(Error::Corrupt {
                detail: "an import block does not decode",
            }),
        }
    }
}

/// Hands `each` the time and checked body of every live entry of `coll` matching `filter`,
/// in its order. Not generic: one copy of the query in the library, not one per entity type.
fn list_bodies(
    conn: &Connection,
    coll: Collection,
    filter: &Filter<'_>,
    each: &mut dyn FnMut(i64, Found<'_>) -> Result<()>,
) -> Result<()> {
    if coll == Collection::Readings {
        let blocks = blocks_for(conn, filter)?;
        if !blocks.is_empty() {
            return list_with_blocks(conn, filter, blocks, each);
        }
    }
    list_rows(conn, coll, filter, &mut |at, _, body| {
        each(at, Found::Body(body))
    })
}

/// [`list_bodies`] over the entries' own rows only, each handed with its id.
fn list_rows(
    conn: &Connection,
    coll: Collection,
    filter: &Filter<'_>,
    each: &mut dyn FnMut(i64, &str, &str) -> Result<()>,
) -> Result<()> {
    let mut sql = String::from(
        "SELECT coalesce(at_ms, 0), body, sum, id FROM entries WHERE collection = ? AND deleted = 0",
    );
    let coll = coll.name();
    let mut args: Vec<&dyn ToSql> = vec![&coll];
    if let Some(tag) = &filter.tag {
        sql.push_str(" AND tag = ?");
        args.push(tag);
    }
    if let Some(from) = &filter.from_ms {
        sql.push_str(" AND at_ms >= ?");
        args.push(from);
    }
    if let Some(to) = &filter.to_ms {
        sql.push_str(" AND at_ms < ?");
        args.push(to);
    }
    if let Some((at, id)) = &filter.before {
        sql.push_str(" AND (at_ms < ? OR (at_ms = ? AND id < ?))");
        args.push(at);
        args.push(at);
        args.push(id);
    }
    sql.push_str(if filter.oldest_first {
        " ORDER BY at_ms, id"
    } else {
        " ORDER BY at_ms DESC, id DESC"
    });
    if let Some(limit) = &filter.limit {
        sql.push_str(" LIMIT ?");
        args.push(limit);
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(args.as_slice())?;
    while let Some(row) = rows.next()? {
        // The body is checked and handed on where SQLite holds it, not copied.
        let body = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        check(body, row.get(2)?)?;
        let id = row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
        each(row.get(0)?, id, body)?;
    }
    Ok(())
}

/// Where an import block's row is and the span of time it covers (Unix ms, inclusive).
#[derive(Debug, Clone, Copy)]
struct BlockSpan {
    rowid: i64,
    first: i64,
    last: i64,
}

/// The live import blocks that may hold a reading `filter` matches, read from their own
/// index (`entries_by_span`) without their bodies.
fn blocks_for(conn: &Connection, filter: &Filter<'_>) -> Result<Vec<BlockSpan>> {
    let mut sql = String::from(
        "SELECT rowid, at_ms, until_ms FROM entries INDEXED BY entries_by_span
         WHERE collection = 'reading_blocks' AND until_ms IS NOT NULL AND deleted = 0",
    );
    let mut args: Vec<&dyn ToSql> = Vec::new();
    if let Some(tag) = &filter.tag {
        sql.push_str(" AND tag = ?");
        args.push(tag);
    }
    if let Some(from) = &filter.from_ms {
        sql.push_str(" AND until_ms >= ?");
        args.push(from);
    }
    if let Some(to) = &filter.to_ms {
        sql.push_str(" AND at_ms < ?");
        args.push(to);
    }
    if let Some((at, _)) = &filter.before {
        sql.push_str(" AND at_ms <= ?");
        args.push(at);
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(args.as_slice(), |r| {
        Ok(BlockSpan {
            rowid: r.get(0)?,
            first: r.get(1)?,
            last: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The readings of the import block at `rowid`, oldest first, checked
/// ([`crate::model::ReadingBlock::decode`]).
fn read_block(conn: &Connection, rowid: i64) -> Result<Vec<Reading>> {
    let (body, sum): (String, Option<i64>) = conn
        .prepare_cached("SELECT body, sum FROM entries WHERE rowid = ?1")?
        .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
    check(&body, sum)?;
    super::collection::block_readings(&body).ok_or(Error::Corrupt {
        detail: "an import block does not decode",
    })
}

/// The ids of the readings with rows of their own (live or deleted) among those an import
/// block covering `first..=last` may hold: such a row hides the block's copy.
pub(crate) fn own_rows(conn: &Connection, first: i64, last: i64) -> Result<HashSet<String>> {
    let (low, high) = (
        crate::model::imported_id_head(first),
        format!("{}~", crate::model::imported_id_head(last)),
    );
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM entries WHERE collection = 'readings' AND id >= ?1 AND id < ?2",
    )?;
    let ids = stmt.query_map(params![low, high], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// The reading `id` kept in an import block, if any (the caller looked for a row of its own
/// first: such a row hides the block's copy).
pub(crate) fn in_block(conn: &Connection, id: &str) -> Result<Option<Reading>> {
    let Some(at) = crate::model::imported_time(id) else {
        return Ok(None);
    };
    let filter = Filter {
        from_ms: Some(at),
        to_ms: Some(at + 1),
        ..Filter::default()
    };
    for block in blocks_for(conn, &filter)? {
        if let Some(r) = read_block(conn, block.rowid)?
            .into_iter()
            .find(|r| r.id == id)
        {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

/// [`list_bodies`] of readings when import blocks may hold some: the rows of their own and
/// the blocks' readings (each id once; a row of its own hides a block's copy), merged in the
/// filter's order. With a limit, blocks are read in that order and only until none can hold
/// a reading that would make the list.
fn list_with_blocks(
    conn: &Connection,
    filter: &Filter<'_>,
    mut blocks: Vec<BlockSpan>,
    each: &mut dyn FnMut(i64, Found<'_>) -> Result<()>,
) -> Result<()> {
    /// A row's body or a block's reading, at its place in the list.
    enum Item {
        Body(String),
        Reading(Reading),
    }
    let limit = filter.limit.map(|l| l as usize);
    if limit == Some(0) {
        return Ok(());
    }
    let newest_first = !filter.oldest_first;
    let mut found: Vec<(i64, String, Item)> = Vec::new();
    list_rows(conn, Collection::Readings, filter, &mut |at, id, body| {
        found.push((at, id.to_string(), Item::Body(body.to_string())));
        Ok(())
    })?;
    let order = |a: &(i64, String, Item), b: &(i64, String, Item)| {
        let o = (a.0, &a.1).cmp(&(b.0, &b.1));
        if newest_first { o.reverse() } else { o }
    };
    if newest_first {
        blocks.sort_by_key(|b| std::cmp::Reverse(b.last));
    } else {
        blocks.sort_by_key(|b| b.first);
    }
    let mut ids: HashSet<String> = found.iter().map(|f| f.1.clone()).collect();
    let passes = |at: i64, id: &str| {
        filter.from_ms.is_none_or(|from| at >= from)
            && filter.to_ms.is_none_or(|to| at < to)
            && filter
                .before
                .is_none_or(|(b_at, b_id)| at < b_at || (at == b_at && id < b_id))
    };
    for block in blocks {
        if let Some(limit) = limit
            && found.len() >= limit
        {
            found.sort_by(order);
            found.truncate(limit);
            let kth = found[limit - 1].0;
            if (newest_first && block.last < kth) || (!newest_first && block.first > kth) {
                break;
            }
        }
        let own = own_rows(conn, block.first, block.last)?;
        for r in read_block(conn, block.rowid)? {
            let at = r.at.timestamp_millis();
            if passes(at, &r.id) && !own.contains(&r.id) && ids.insert(r.id.clone()) {
                found.push((at, r.id.clone(), Item::Reading(r)));
            }
        }
    }
    found.sort_by(order);
    if let Some(limit) = limit {
        found.truncate(limit);
    }
    for (at, _, item) in found {
        match item {
            Item::Body(body) => each(at, Found::Body(&body))?,
            Item::Reading(r) => each(at, Found::Reading(r))?,
        }
    }
    Ok(())
}

/// The query of [`unseen_alerts`]: the index's own expression, and the index named (SQLite
/// would rather walk every row by time for the `ORDER BY`; the few read are sorted instead).
const UNSEEN_ALERTS: &str = "SELECT body, sum FROM entries INDEXED BY entries_alerts_unseen
     WHERE deleted = 0
       AND CASE WHEN collection = 'alerts' AND json_extract(body, '$.acknowledged_at') IS NULL
           THEN coalesce(unixepoch(json_extract(body, '$.resolved_at')), 9223372036854775807)
       END >= ?1
     ORDER BY at_ms DESC, id DESC";

/// The live alerts not acknowledged and not resolved before `resolved_since` (Unix seconds),
/// newest first: every alert a home screen may show and few others, read through the partial
/// index `entries_alerts_unseen` (schema 12) without reading the rest of the record's alerts.
pub(crate) fn unseen_alerts<E: Entity>(conn: &Connection, resolved_since: i64) -> Result<Vec<E>> {
    let mut stmt = conn.prepare_cached(UNSEEN_ALERTS)?;
    let rows = stmt.query_map([resolved_since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (body, sum) = row?;
        out.push(decode(&verified(body, sum)?)?);
    }
    Ok(out)
}

fn decode<E: Entity>(body: &str) -> Result<E> {
    serde_json::from_str(body).map_err(|_| Error::Corrupt {
        detail: "an index row does not decode",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_query_is_not_prepared_again_for_another_collection() {
        // SQLite 3.54 prepares such a query again for each new value bound, unless the plan
        // is asked to be stable (schema::configure): 10% of the home screen.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = Connection::open(dir.path().join("r.db")).expect("open");
        crate::store::schema::configure(&conn).expect("pragmas");
        crate::store::schema::migrate(&mut conn).expect("schema");
        let mut stmt = conn
            .prepare(
                "SELECT body FROM entries WHERE collection = ? AND deleted = 0 ORDER BY at_ms DESC",
            )
            .expect("prepare");
        for coll in ["readings", "alerts", "doses", "readings"] {
            let rows: Vec<String> = stmt
                .query_map([coll], |r| r.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows");
            assert!(rows.is_empty());
        }
        assert_eq!(
            stmt.get_status(rusqlite::StatementStatus::RePrepare),
            0,
            "prepared again"
        );
    }

    #[test]
    fn a_list_is_read_in_order_from_an_index_not_sorted() {
        let mut conn = Connection::open_in_memory().expect("memory");
        crate::store::schema::migrate(&mut conn).expect("schema");
        for sql in [
            "SELECT body FROM entries WHERE collection = ?1 AND deleted = 0 AND at_ms >= ?2 \
             AND at_ms < ?3 ORDER BY at_ms DESC, id DESC",
            "SELECT body FROM entries WHERE collection = ?1 AND deleted = 0 AND tag = ?2 \
             AND at_ms >= ?3 ORDER BY at_ms DESC, id DESC LIMIT 1",
        ] {
            let n = sql.matches('?').count();
            let args: Vec<i64> = vec![0; n];
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("plan")
                .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .expect("rows")
                .collect::<rusqlite::Result<_>>()
                .expect("plan rows");
            assert!(
                !plan.iter().any(|p| p.contains("TEMP B-TREE")),
                "{sql}: {plan:?}"
            );
        }
    }

    #[test]
    fn the_unseen_alerts_are_read_through_their_index() {
        let mut conn = Connection::open_in_memory().expect("memory");
        crate::store::schema::migrate(&mut conn).expect("schema");
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {UNSEEN_ALERTS}"))
            .expect("plan")
            .query_map([0], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("plan rows");
        assert!(
            plan.iter().any(|p| p.contains("entries_alerts_unseen")),
            "{plan:?}"
        );
    }
}
