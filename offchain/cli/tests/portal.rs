//! The portal as a newcomer meets it: `gridtrust demo --serve` runs the demo and serves its town, and a
//! real headless Chromium (Debian's `chromium` and `chromedriver`, installed by `make test`) looks up
//! a customer on the 3-hour feeder, checks their payout and subsidy in the browser with the shared
//! rules, checks their own meter export (and sees a doctored one fail), switches language and reads
//! the insurer's page. Screenshots of each page are written to `<target>/portal-screenshots/`.

use std::{path::PathBuf, process::Command, time::Duration};

use gridtrust_tests::browser::Browser;
use support::served::Served;

mod support;

/// The demo's customer on feeder 2, which the storm cut for 3 hours.
/// A customer on the 3-hour feeder who shed load in the peak, so both a payout and a subsidy show.
const METER: u64 = 2001;
/// The demo town's first midnight (the sandbox chain's genesis) and noise seed.
const TOWN_START_MS: &str = "1767225600000";

/// The demo's portal, and the pool's capital before and after the storm as the demo reported it.
fn serve_demo() -> (Served, (String, String)) {
    let served = support::served::serve_demo();
    let capital = served
        .said
        .iter()
        .find_map(|line| {
            let rest = line.strip_prefix("pool capital: ")?;
            let (before, after) = rest.trim_end_matches(" tokens").split_once(" → ")?;
            Some((before.to_owned(), after.to_owned()))
        })
        .expect("the demo reports the pool's capital");
    (served, capital)
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("portal-screenshots")
}

/// The customer's own export of their meter: their readings from the sample town's data, as their
/// meter recorded them, or with every value one Wh higher (doctored).
fn exports(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    let sample = dir.join("town");
    let out = Command::new(env!("CARGO_BIN_EXE_gridtrust"))
        .args(["oracle", "sample", "--out", sample.to_str().unwrap()])
        .args(["--seed", "7", "--start-ms", TOWN_START_MS])
        .output()
        .unwrap();
    assert!(out.status.success());
    let all = std::fs::read_to_string(sample.join("readings.csv")).unwrap();
    let mine: Vec<&str> = all
        .lines()
        .filter(|l| l.starts_with(&format!("reading,{METER},")))
        .collect();
    assert!(!mine.is_empty());
    let doctored: Vec<String> = mine
        .iter()
        .map(|l| {
            let (head, wh) = l.rsplit_once(',').unwrap();
            format!("{head},{}", wh.parse::<u64>().unwrap() + 1)
        })
        .collect();
    let (honest_file, doctored_file) = (dir.join("my-meter.csv"), dir.join("doctored.csv"));
    std::fs::write(&honest_file, mine.join("\r\n")).unwrap();
    std::fs::write(&doctored_file, doctored.join("\n")).unwrap();
    (honest_file, doctored_file)
}

const RESULT_OF: &str = "const o = document.querySelector(arguments[0]); \
                         return o && o.dataset.result ? o.dataset.result + ': ' + o.textContent : null";

/// Runs the page's own `redecide` over the payout's evidence as served, with one restore moved a
/// minute later, and with two events swapped; leaves what each gives in `window.redecided`.
const DOCTOR_EVIDENCE: &str = "\
    const b = document.querySelector('button.check[data-kind=payout]'); \
    const q = new URLSearchParams({ outage: b.dataset.outage, meter: b.dataset.meter, policy: b.dataset.policy }); \
    fetch('/api/payout-proof?' + q).then((r) => r.json()).then(async (p) => { \
      const ex = await check(); \
      const late = p.evidence.map((e) => ({ ...e })); \
      late[late.length - 1].at_ms += 60000; \
      const swapped = p.evidence.slice(); \
      [swapped[0], swapped[1]] = [swapped[1], swapped[0]]; \
      window.redecided = { \
        honest: redecide(ex, p.evidence, p.min_dark_meters).root === p.root, \
        late: redecide(ex, late, p.min_dark_meters).root === p.root, \
        swapped: redecide(ex, swapped, p.min_dark_meters).why || null, \
      }; \
    }); \
    return true;";

fn result_of(browser: &Browser, css: &str) -> String {
    let script = RESULT_OF.replace("arguments[0]", &format!("{css:?}"));
    browser
        .wait_for(&script, Duration::from_secs(30))
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_customer_looks_up_and_checks_their_payout_and_subsidy_in_a_real_browser() {
    let browser = Browser::start().expect(
        "headless Chromium and chromedriver (/usr/bin/chromium, /usr/bin/chromedriver; \
         `make test` installs them with scripts/setup-browser.sh)",
    );
    let (served, capital) = serve_demo();
    let shots = screenshots();
    let dir = tempfile::tempdir().unwrap();
    let (honest, doctored) = exports(dir.path());

    browser.open(&format!("{}?meter={METER}&lang=en", served.url));
    let text = browser.text();
    assert!(text.contains("Outage payouts"), "{text}");
    assert!(
        text.contains("5.00 tokens"),
        "the 3-hour outage pays 5.00: {text}"
    );
    assert!(
        text.contains("out ≥ 1 h → 5.00 tokens"),
        "terms in words: {text}"
    );
    assert!(text.contains("Demand-response entries"), "{text}");
    assert!(
        text.contains("0.50 tokens per kWh below the baseline, at most 5.00 per event; a cut under 10 % of the baseline earns nothing; days turn at midnight UTC+00:00"),
        "the program's terms in words: {text}"
    );
    assert!(text.contains("read at block #"), "sources named: {text}");
    // The payout's row names the tier its outage reached and the block it was paid in, a block the
    // chain had reached when the page read it.
    let row = browser.eval(
        "const r = document.querySelector('button.check[data-kind=payout]').closest('tr'); \
         const heads = [...r.closest('table').querySelectorAll('th')].map(h => h.textContent); \
         return Object.fromEntries([...r.cells].map((c, i) => [heads[i], c.textContent.trim()]))",
    );
    assert_eq!(
        row["Tier reached"], "1 (out ≥ 1 h)",
        "the 3-hour outage reaches the first tier: {row}"
    );
    let paid_in: u64 = row["Block"]
        .as_str()
        .and_then(|b| b.strip_prefix('#')?.parse().ok())
        .unwrap_or_else(|| panic!("a block number: {row}"));
    let read_at: u64 = text
        .split("read at block #")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|b| b.parse().ok())
        .unwrap();
    assert!(
        0 < paid_in && paid_in <= read_at,
        "paid in block {paid_in}, read at {read_at}"
    );

    // The payout and the subsidy, checked in this browser against the chain's roots.
    browser.click("button.check[data-kind=payout]");
    let payout = result_of(&browser, "button.check[data-kind=payout] + output");
    assert!(payout.starts_with("matches: matches the chain"), "{payout}");
    // The outage itself was re-decided in the browser from every event of its evidence, not only the
    // customer's own.
    let all: usize = payout
        .split("re-decided from all ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("the page says how many events it re-decided from: {payout}"));
    // "matches: matches the chain (2 × event, start and end re-decided from all 16 events, …)"
    let own: usize = payout
        .split_once('(')
        .and_then(|(_, details)| details.split(" × ").next()?.parse().ok())
        .unwrap_or_else(|| {
            panic!("the page says how many of this meter's events it proved: {payout}")
        });
    assert!(
        all > own,
        "the whole feeder's evidence ({all}) is more than this meter's ({own}): {payout}"
    );
    // The same re-decision refuses doctored evidence: one restore a minute later no longer hashes to
    // the chain's root, and two events out of order decide nothing.
    browser.eval(DOCTOR_EVIDENCE);
    let redecided = browser.wait_for("return window.redecided || null", Duration::from_secs(30));
    assert_eq!(redecided["honest"], true, "{redecided}");
    assert_eq!(redecided["late"], false, "{redecided}");
    assert_eq!(
        redecided["swapped"], "not in canonical order",
        "{redecided}"
    );
    browser.click("button.check[data-kind=entry]");
    let entry = result_of(&browser, "button.check[data-kind=entry] + output");
    assert!(entry.starts_with("matches: matches the chain"), "{entry}");
    browser.screenshot(&shots.join("customer.png"));

    // The customer's own export checks out; a doctored one fails, visibly.
    browser.choose_file("#own-export", &honest);
    let own = result_of(&browser, "#own-result");
    assert!(own.starts_with("matches"), "{own}");
    assert!(own.contains("✓"), "{own}");
    browser.open(&format!("{}?meter={METER}&lang=en", served.url));
    browser.choose_file("#own-export", &doctored);
    let own = result_of(&browser, "#own-result");
    assert!(own.starts_with("differs"), "{own}");
    assert!(
        own.contains("✗") && own.contains("differs from the chain"),
        "{own}"
    );
    browser.screenshot(&shots.join("customer-doctored.png"));

    // The language switch, on the page itself.
    browser.click("#lang-switch");
    let lang = browser.eval("return document.documentElement.lang");
    assert_eq!(lang, "zh-CN");
    let text = browser.text();
    assert!(
        text.contains("停电赔付") && text.contains("5.00 代币"),
        "{text}"
    );
    browser.screenshot(&shots.join("customer-zh.png"));

    // At a phone's width (390 px) every page fits: nothing wider than the screen but the tables,
    // which scroll inside their own box, and the look-up form's controls stay labelled.
    browser.resize(390, 844);
    for page in [
        format!("?meter={METER}&lang=en"),
        "insurer?lang=en".into(),
        "regulator?lang=en".into(),
    ] {
        browser.open(&format!("{}{page}", served.url));
        let fits = browser.eval(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1 \
             ? 'fits' : document.documentElement.scrollWidth + ' > ' + window.innerWidth",
        );
        assert_eq!(fits, "fits", "{page} at 390 px");
    }
    browser.open(&format!("{}?meter={METER}&lang=en", served.url));
    let unlabelled = browser.eval(
        "return [...document.querySelectorAll('input:not([type=hidden]), button, select')].filter(e => \
         !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()) \
         .map(e => e.outerHTML).join(' ')",
    );
    assert_eq!(unlabelled, "", "every control has a label");
    browser.screenshot(&shots.join("customer-phone.png"));
    browser.resize(1100, 1400);

    // The insurer's page: the pool's capital before the storm's payouts and after them, as the demo
    // reported them.
    browser.open(&format!("{}insurer?lang=en", served.url));
    let text = browser.text();
    let (before, after) = &capital;
    let figure = browser.eval("return document.querySelector('figure svg').textContent");
    let figure = figure.as_str().unwrap_or_default();
    assert!(
        figure.contains(&format!("Capital before payouts{before}")),
        "{figure}"
    );
    assert!(figure.contains(&format!("Capital{after}")), "{figure}");
    assert!(text.contains("Insurance pools"), "{text}");
    // Premiums in and payouts out over time: the payouts line ends at the total the pool's table
    // shows (summed from each policy's payouts there, from each policy's record here).
    let totals = browser.eval(
        "const t = document.querySelector('table'); \
         const col = [...t.querySelectorAll('th')].findIndex(h => h.textContent === 'Payouts'); \
         const line = [...document.querySelectorAll('svg text.payouts')][0]; \
         return [t.querySelector('tbody tr').cells[col].textContent, line && line.textContent]",
    );
    let paid = totals[0].as_str().unwrap();
    assert_ne!(paid, "0.00", "the storm paid out");
    assert_eq!(totals[1], format!("Payouts {paid}"), "{totals}");
    let over_time = browser.eval(
        "return [...document.querySelectorAll('figcaption')].map(c => c.textContent).join(' | ')",
    );
    assert!(
        over_time
            .as_str()
            .unwrap()
            .contains("Pool #0: premiums in and payouts out over time"),
        "{over_time}"
    );
    browser.screenshot(&shots.join("insurer.png"));

    browser.open(&format!("{}regulator?lang=en", served.url));
    let text = browser.text();
    assert!(text.contains("Outages per feeder"), "{text}");
    // Who voted what on each committee report: the storm's outage reports and the peak's batches,
    // each operator's ballot against the content that counts (the third operator's came too late).
    assert!(text.contains("Committee votes: who voted what"), "{text}");
    let votes = browser.eval(
        "return [...document.querySelectorAll('section')].find(s => s.textContent.includes('Committee votes')).textContent",
    );
    let votes = votes.as_str().unwrap_or_default();
    for shown in [
        "outage end · #",
        "measurement batch 0 · Event #0",
        "the content that counts",
        "no vote",
    ] {
        assert!(votes.contains(shown), "{shown}: {votes}");
    }
    browser.screenshot(&shots.join("regulator.png"));

    // The demo's guest looks up their stay by account: the booking, its local check-in date and
    // where it ended (the hotel checked them in and the stay settled).
    let eva = gridtrust_chain::ss58(&gridtrust_chain::named_account("guest-eva"));
    browser.open(&format!("{}?account={eva}&lang=en", served.url));
    let text = browser.text();
    assert!(text.contains("Bookings"), "{text}");
    let bookings = browser.eval(
        "return [...document.querySelectorAll('section')].find(s => s.textContent.includes('Bookings')).textContent",
    );
    let bookings = bookings.as_str().unwrap_or_default();
    assert!(
        bookings.contains("completed") && bookings.contains("#0"),
        "{bookings}"
    );
    browser.screenshot(&shots.join("customer-bookings.png"));

    // A meter that is not a number is a plain error page, not a trace.
    browser.open(&format!("{}?meter=abc&lang=en", served.url));
    assert!(browser.text().contains("not a valid meter number"));
}
