//! The relay's storage backends under one suite: SQLite always; PostgreSQL when
//! `COMPANION_TEST_POSTGRES` names a server (an admin URL; `scripts/test-all.sh` starts one),
//! each test on a new database. Positions are numbered from 1 without gaps, deduplicated by
//! digest, a dropped transaction changes nothing, and concurrent writers to one record (on
//! PostgreSQL: two separate storages, as two relay processes would be) never lose or repeat a
//! position.

use std::sync::Arc;

use companion_server::storage::{self, Storage, StoredInvite, digest};

/// One storage per backend available here, each over a new database; the second value opens
/// the same database again (another "process").
/// A backend's name, a storage over a new database, and a second one over the same.
type Backend = (String, Box<dyn Storage>, Box<dyn Storage>);

fn backends(dir: &std::path::Path) -> Vec<Backend> {
    let sqlite = dir.join("relay.db").to_string_lossy().into_owned();
    let mut all = vec![(
        sqlite.clone(),
        storage::open(&sqlite).expect("sqlite"),
        storage::open(&sqlite).expect("sqlite again"),
    )];
    match std::env::var("COMPANION_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            let url = new_database(&admin);
            all.push((
                url.clone(),
                storage::open(&url).expect("postgres"),
                storage::open(&url).expect("postgres again"),
            ));
        }
        _ => eprintln!("COMPANION_TEST_POSTGRES is not set: PostgreSQL not tested in this run"),
    }
    all
}

fn new_database(admin: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "storage_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("connect");
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create");
    let (base, _) = admin.rsplit_once('/').expect("admin URL");
    format!("{base}/{name}")
}

#[test]
fn appends_are_numbered_deduplicated_and_rolled_back_when_dropped() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, s, _) in backends(dir.path()) {
        let mut tx = s.begin(Some("r")).expect("begin");
        assert!(!tx.record_exists("r").expect("exists"));
        tx.create_record("r", "a", b"genesis", 0).expect("create");
        assert_eq!(tx.append("r", 2, "a", &digest(b"x"), b"x").expect("x"), 2);
        assert_eq!(tx.append("r", 2, "a", &digest(b"y"), b"y").expect("y"), 3);
        assert_eq!(
            tx.append("r", 2, "a", &digest(b"x"), b"x")
                .expect("x again"),
            2
        );
        assert_eq!(tx.append("r", 1, "a", &digest(b"m"), b"m").expect("m"), 4);
        tx.commit().expect("commit");

        let mut tx = s.begin(Some("r")).expect("begin");
        assert_eq!(tx.append("r", 2, "a", &digest(b"z"), b"z").expect("z"), 5);
        drop(tx);

        let mut tx = s.begin(None).expect("read");
        let (items, tip) = tx.log("r", 1, 10, 0).expect("log");
        assert_eq!(tip, 4, "{name}: the dropped append left nothing");
        let seqs: Vec<u64> = items.iter().map(|i| i.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4], "{name}");
        assert_eq!(items[0].bytes, b"x");
        assert_eq!(tx.find("r", &digest(b"y")).expect("find"), Some(3));
        let membership: Vec<u64> = tx
            .membership("r")
            .expect("membership")
            .iter()
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(membership, vec![1, 4], "{name}");
        let (page, _) = tx.log("r", 0, 2, 0).expect("page");
        assert_eq!(page.len(), 2, "{name}: a page holds at most the limit");
        assert!(tx.remember_nonce("a", "n1", 5, 0).expect("nonce"));
        assert!(
            !tx.remember_nonce("a", "n1", 5, 0).expect("nonce"),
            "{name}"
        );
        tx.commit().expect("commit");
    }
}

#[test]
fn invites_and_snapshots_round_trip() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, s, _) in backends(dir.path()) {
        let mut tx = s.begin(Some("r")).expect("begin");
        tx.create_record("r", "a", b"genesis", 0).expect("create");
        let invite = StoredInvite {
            record: "r".into(),
            bundle: vec![1, 2, 3],
            expires_ms: 99,
            used_by: None,
        };
        tx.put_invite("i1", &invite).expect("invite");
        assert_eq!(tx.invite("i1").expect("read").as_ref(), Some(&invite));
        tx.use_invite("i1", "b").expect("use");
        let used = tx.invite("i1").expect("read").expect("there");
        assert_eq!(
            (used.used_by.as_deref(), used.bundle.len()),
            (Some("b"), 0),
            "{name}: the bundle is dropped once used"
        );
        tx.put_snapshot("r", "s1", 1, b"one").expect("snapshot");
        tx.put_snapshot("r", "s1", 1, b"two").expect("replaced");
        tx.put_snapshot("r", "s0", 1, b"zero").expect("another");
        tx.put_snapshot("r", "s2", 1, b"three").expect("a third");
        let page = |tx: &mut Box<dyn storage::Tx + '_>, after: &str, max: usize| {
            let p = tx.snapshots("r", after, max).expect("snapshots");
            let slots: Vec<String> = p.snapshots.iter().map(|(s, _)| s.clone()).collect();
            (slots, p.more)
        };
        assert_eq!(
            tx.snapshots("r", "", usize::MAX)
                .expect("snapshots")
                .snapshots,
            vec![
                ("s0".to_string(), b"zero".to_vec()),
                ("s1".to_string(), b"two".to_vec()),
                ("s2".to_string(), b"three".to_vec())
            ],
            "{name}: in slot order, the replaced one as it is now"
        );
        // Pages within a byte limit (4 + 3 bytes fit in 7), at least one snapshot each.
        assert_eq!(
            page(&mut tx, "", 7),
            (vec!["s0".into(), "s1".into()], true),
            "{name}"
        );
        assert_eq!(page(&mut tx, "s1", 7), (vec!["s2".into()], false), "{name}");
        assert_eq!(page(&mut tx, "", 1), (vec!["s0".into()], true), "{name}");
        assert_eq!(page(&mut tx, "s2", 7), (vec![], false), "{name}");
        tx.commit().expect("commit");
    }
}

#[test]
fn compaction_drops_covered_envelopes_and_keeps_positions_digests_and_the_chain() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, s, _) in backends(dir.path()) {
        let mut tx = s.begin(Some("r")).expect("begin");
        tx.create_record("r", "a", b"genesis", 0).expect("create");
        for (kind, bytes) in [(2, &b"e2"[..]), (1, b"m3"), (2, b"e4"), (2, b"e5")] {
            tx.append("r", kind, "a", &digest(bytes), bytes)
                .expect("append");
        }
        // The running digest: each position's chained over every item up to it.
        let mut chain = storage::chain(&[], &digest(b"genesis"));
        for (seq, bytes) in [(2, &b"e2"[..]), (3, b"m3"), (4, b"e4")] {
            chain = storage::chain(&chain, &digest(bytes));
            assert_eq!(tx.chain_at("r", seq).expect("chain"), Some(chain.clone()));
        }
        assert_eq!(tx.chain_at("r", 9).expect("chain"), None, "{name}");
        assert_eq!(tx.compacted("r").expect("compacted"), 0);
        // Two slots: the lower covers decides.
        tx.put_snapshot("r", "s0", 4, b"doc a").expect("snapshot");
        tx.put_snapshot("r", "s1", 3, b"doc b").expect("snapshot");
        assert_eq!(tx.compact("r").expect("compact"), 3, "{name}");
        // A snapshot covering less than the slot's is ignored.
        tx.put_snapshot("r", "s0", 2, b"old a").expect("snapshot");
        assert_eq!(tx.compact("r").expect("compact"), 3, "{name}");
        tx.commit().expect("commit");

        let mut tx = s.begin(Some("r")).expect("begin");
        assert!(
            tx.snapshots("r", "", usize::MAX)
                .expect("snapshots")
                .snapshots
                .iter()
                .any(|(_, b)| b == b"doc a")
        );
        let (all, _) = tx.log("r", 0, 10, 0).expect("log");
        let e2 = all.iter().find(|i| i.seq == 2).expect("position 2 stays");
        assert!(e2.bytes.is_empty(), "{name}: a covered envelope's bytes go");
        assert_eq!(e2.digest, digest(b"e2"));
        assert_eq!(all.iter().find(|i| i.seq == 4).expect("4").bytes, b"e4");
        let (skipped, tip) = tx.log("r", 0, 10, 3).expect("log");
        let seqs: Vec<u64> = skipped.iter().map(|i| i.seq).collect();
        assert_eq!(
            (seqs, tip),
            (vec![1, 3, 4, 5], 5),
            "{name}: covered envelopes left out, membership kept"
        );
        // An envelope sent again keeps its position; the chain stays the same.
        assert_eq!(
            tx.append("r", 2, "a", &digest(b"e2"), b"e2")
                .expect("again"),
            2
        );
        assert_eq!(tx.chain_at("r", 4).expect("chain"), Some(chain), "{name}");
        tx.commit().expect("commit");
    }
}

#[test]
fn concurrent_writers_to_one_record_never_lose_or_repeat_a_position() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, first, second) in backends(dir.path()) {
        {
            let mut tx = first.begin(Some("r")).expect("begin");
            tx.create_record("r", "a", b"genesis", 0).expect("create");
            tx.commit().expect("commit");
        }
        let storages: [Arc<dyn Storage>; 2] = [Arc::from(first), Arc::from(second)];
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let s = Arc::clone(&storages[t % 2]);
                std::thread::spawn(move || {
                    for n in 0..40 {
                        let bytes = format!("{t}-{n}").into_bytes();
                        let mut tx = s.begin(Some("r")).expect("begin");
                        // The check a relay makes before appending reads inside the lock.
                        let tip = tx.tip("r").expect("tip");
                        let seq = tx
                            .append("r", 2, "a", &digest(&bytes), &bytes)
                            .expect("append");
                        assert_eq!(seq, tip + 1);
                        tx.commit().expect("commit");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("writer");
        }
        let mut tx = storages[0].begin(None).expect("read");
        let (items, tip) = tx.log("r", 0, 1000, 0).expect("log");
        assert_eq!(tip, 321, "{name}");
        let seqs: Vec<u64> = items.iter().map(|i| i.seq).collect();
        assert_eq!(
            seqs,
            (1..=321).collect::<Vec<_>>(),
            "{name}: no gap, no repeat"
        );
        let mut bodies: Vec<&[u8]> = items[1..].iter().map(|i| i.bytes.as_slice()).collect();
        bodies.sort();
        bodies.dedup();
        assert_eq!(bodies.len(), 320, "{name}: every write is there once");
    }
}

#[test]
fn a_lone_genesis_is_replaced_whole() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, s, _) in backends(dir.path()) {
        let mut tx = s.begin(Some("r")).expect("begin");
        tx.create_record("r", "a", b"first", 0).expect("create");
        tx.commit().expect("commit");
        let mut tx = s.begin(Some("r")).expect("begin");
        tx.replace_genesis("r", "b", b"second").expect("replace");
        tx.commit().expect("commit");
        let mut tx = s.begin(None).expect("read");
        assert_eq!(
            tx.find("r", &digest(b"first")).expect("find"),
            None,
            "{name}"
        );
        assert_eq!(
            tx.find("r", &digest(b"second")).expect("find"),
            Some(1),
            "{name}"
        );
        let (items, tip) = tx.log("r", 0, 10, 0).expect("log");
        assert_eq!((tip, items.len()), (1, 1), "{name}");
        assert_eq!(
            (items[0].author.as_str(), items[0].bytes.as_slice()),
            ("b", &b"second"[..])
        );
        assert_eq!(
            tx.membership("r").expect("m"),
            vec![(1, b"second".to_vec())]
        );
    }
}

#[test]
fn a_page_is_bounded_in_bytes_but_never_empty() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, s, _) in backends(dir.path()) {
        let mut tx = s.begin(Some("r")).expect("begin");
        tx.create_record("r", "a", b"g", 0).expect("create");
        for (i, n) in [10usize, 1000, 10, 10].into_iter().enumerate() {
            let bytes = vec![i as u8; n];
            tx.append("r", 2, "a", &digest(&bytes), &bytes)
                .expect("append");
        }
        tx.commit().expect("commit");
        let mut tx = s.begin(None).expect("read");
        // From position 1: 10, then 1000 goes beyond 100 bytes.
        assert_eq!(tx.fitting("r", 1, 10, 0, 100).expect("fit"), 1, "{name}");
        // The 1000-byte item alone is over the bytes, and still a page of one.
        assert_eq!(tx.fitting("r", 2, 10, 0, 100).expect("fit"), 1, "{name}");
        assert_eq!(tx.fitting("r", 3, 10, 0, 100).expect("fit"), 2, "{name}");
        assert_eq!(
            tx.fitting("r", 0, 2, 0, 1 << 20).expect("fit"),
            2,
            "{name}: items bound"
        );
        assert_eq!(
            tx.fitting("r", 5, 10, 0, 100).expect("fit"),
            0,
            "{name}: nothing after"
        );
    }
}

/// The backend processes serving database `url` (PostgreSQL's `pg_stat_activity`).
fn backend_pids(admin: &str, url: &str) -> std::collections::BTreeSet<i32> {
    let (_, name) = url.rsplit_once('/').expect("database URL");
    let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("connect");
    client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .expect("activity")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// A pooled connection keeps buffers as large as the largest message it carried: one that
/// carried a large envelope (or read a megabyte of log) is closed rather than pooled again, so
/// a member posting huge envelopes cannot grow the relay's memory for good (issue 35's soak).
#[test]
fn a_connection_that_carried_a_large_envelope_is_not_pooled_again() {
    let Some(admin) = std::env::var("COMPANION_TEST_POSTGRES")
        .ok()
        .filter(|a| !a.is_empty())
    else {
        eprintln!("COMPANION_TEST_POSTGRES is not set: PostgreSQL not tested in this run");
        return;
    };
    let url = new_database(&admin);
    let s = storage::open(&url).expect("postgres");
    let closed_since = |before: &std::collections::BTreeSet<i32>| {
        // A closed connection's backend leaves the view shortly after.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let now = backend_pids(&admin, &url);
            let gone = before.difference(&now).count();
            if gone > 0 || std::time::Instant::now() > deadline {
                return gone;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };

    let mut tx = s.begin(Some("r")).expect("begin");
    tx.create_record("r", "a", b"g", 0).expect("create");
    let small = vec![1u8; 1_000];
    tx.append("r", 2, "a", &digest(&small), &small)
        .expect("small");
    tx.commit().expect("commit");
    let before = backend_pids(&admin, &url);
    assert!(!before.is_empty());
    let mut tx = s.begin(None).expect("read");
    assert_eq!(tx.log("r", 0, 10, 0).expect("log").0.len(), 2);
    drop(tx);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        before.is_subset(&backend_pids(&admin, &url)),
        "light transactions keep their connections"
    );

    let large = vec![2u8; 300_000];
    let mut tx = s.begin(Some("r")).expect("begin");
    tx.append("r", 2, "a", &digest(&large), &large)
        .expect("large");
    tx.commit().expect("commit");
    assert_eq!(
        closed_since(&before),
        1,
        "the connection that carried it closed"
    );

    // The pool opens others as needed: the record reads on, the large envelope with it.
    let before = backend_pids(&admin, &url);
    let mut tx = s.begin(None).expect("read");
    let (items, tip) = tx.log("r", 0, 10, 0).expect("log");
    assert_eq!(tip, 3);
    assert_eq!(items[2].bytes, large);
    drop(tx);
    assert_eq!(closed_since(&before), 1, "reading it back is as heavy");
}
