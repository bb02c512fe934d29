//! The portal's two languages. Every word a page shows is a [`Text`], in English and Simplified
//! Chinese; the page's language comes from `?lang=`, else the browser's `Accept-Language`.

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The language asked for: `?lang=en|zh`, else `zh` when the browser prefers any Chinese.
    pub fn of(asked: Option<&str>, accept_language: Option<&str>) -> Self {
        match asked {
            Some(l) if l.starts_with("zh") => return Self::Zh,
            Some(l) if l.starts_with("en") => return Self::En,
            _ => {}
        }
        let first = accept_language
            .and_then(|h| h.split(',').next())
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("zh") {
            Self::Zh
        } else {
            Self::En
        }
    }

    /// The `lang` attribute and `?lang=` value.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    /// The other language (the switch offers it).
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Zh,
            Self::Zh => Self::En,
        }
    }

    /// `text` in this language.
    pub fn t(self, text: Text) -> &'static str {
        let (en, zh) = text.words();
        match self {
            Self::En => en,
            Self::Zh => zh,
        }
    }
}

macro_rules! texts {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        /// Every word the portal shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $(#[doc = $en] $name,)* }

        impl Text {
            fn words(self) -> (&'static str, &'static str) {
                match self { $(Self::$name => ($en, $zh),)* }
            }
        }
    };
}

texts! {
    Portal => "GridTrust portal", "GridTrust 数据查询与校验";
    Tagline => "Look up what the chain holds and check it yourself.", "查询链上数据，并亲自校验。";
    Customer => "Customer", "客户";
    Insurer => "Insurer", "保险方";
    Regulator => "Regulator", "监管方";
    SwitchLanguage => "中文", "English";
    LookUp => "Look up", "查询";
    Account => "Account address", "账户地址";
    Meter => "Meter number", "电表编号";
    LookUpHelp => "Give a meter number, an account address, or both.", "请输入电表编号或账户地址（或两者）。";
    Attestations => "Attestations", "身份认证";
    Schema => "Schema", "类别";
    Id => "No.", "编号";
    Pending => "pending", "待结算";
    PaidStatus => "paid", "已支付";
    Status => "Status", "状态";
    Expires => "Expires", "到期";
    Never => "never", "永不";
    Policies => "Outage cover", "停电保险";
    Policy => "Policy", "保单";
    Pool => "Pool", "保险池";
    Program => "Program", "项目";
    CapitalBefore => "Capital before payouts", "赔付前资本";
    CoverFrom => "Cover from", "保障开始";
    CoverUntil => "Cover until", "保障结束";
    Terms => "Terms", "条款";
    Paid => "Paid", "已赔付";
    Payouts => "Outage payouts", "停电赔付";
    Outage => "Outage", "停电事件";
    Feeder => "Feeder", "馈线";
    Start => "Start", "开始";
    End => "End", "结束";
    Minutes => "Minutes", "分钟";
    Amount => "Amount", "金额";
    Tier => "Tier reached", "达到档位";
    Block => "Block", "区块";
    Check => "Check", "校验";
    CheckInBrowser => "Check in this browser", "在浏览器中校验";
    DemandResponse => "Demand-response entries", "需求响应记录";
    Event => "Event", "事件";
    Baseline => "Baseline (Wh)", "基线 (Wh)";
    Actual => "Actual (Wh)", "实际 (Wh)";
    Subsidy => "Subsidy", "补贴";
    DisputeUntil => "Disputes until", "异议截止";
    Source => "Source", "数据来源";
    ReadAtBlock => "read at block", "读取自区块";
    Nothing => "Nothing found.", "未找到记录。";
    Holder => "Holder", "持有人";
    OwnExport => "Check your own meter export", "校验您自己的电表数据";
    OwnExportHelp => "Choose your meter's CSV export (reading,meter,interval_start_ms,wh): each reading in an event window is proven against the root the chain holds. The file stays in your browser.", "选择电表导出的 CSV 文件（reading,meter,interval_start_ms,wh）：事件时段内的每条读数都将与链上保存的根哈希比对。文件不会离开您的浏览器。";
    Matches => "matches the chain", "与链上数据一致";
    Differs => "differs from the chain", "与链上数据不一致";
    ChainDown => "The chain cannot be reached right now. Please try again in a moment.", "暂时无法连接区块链，请稍后再试。";
    Busy => "Many people are looking things up right now. Please try again in a few seconds.", "当前查询人数较多，请几秒钟后再试。";
    NotFoundPage => "No such page.", "页面不存在。";
    BadRequest => "That is not a valid meter number or account address.", "电表编号或账户地址无效。";
    Pools => "Insurance pools", "保险池";
    Capital => "Capital", "资本";
    Locked => "Locked", "锁定";
    Free => "Free", "可用";
    PoliciesSold => "Policies sold", "已售保单";
    Premiums => "Premiums", "保费";
    PayoutsTotal => "Payouts", "赔付";
    Exposure => "Exposure per feeder", "各馈线风险敞口";
    Closed => "closed", "已关闭";
    Open => "open", "开放";
    Outages => "Outages per feeder", "各馈线停电";
    DrEvents => "Demand-response events", "需求响应事件";
    Entries => "Entries", "记录数";
    Disputed => "Disputed", "有异议";
    Votes => "Committee votes: who voted what", "委员会投票:谁投了什么";
    Bookings => "Bookings", "预订";
    Booking => "Booking", "预订号";
    Property => "Property", "酒店";
    Room => "Room type", "房型";
    CheckInDay => "Check-in (local date)", "入住日期(当地)";
    Nights => "Nights", "晚数";
    Booked => "booked", "已预订";
    CheckedIn => "checked in", "已入住";
    CancelledByGuest => "cancelled by the guest", "客人取消";
    CancelledByMerchant => "cancelled by the hotel", "酒店取消";
    NoShow => "no-show", "未到店";
    Completed => "completed", "已完成";
    Lapsed => "lapsed: refunded", "已失效:已退款";
    Report => "Report", "报告";
    Operator => "Operator", "运营方";
    Vote => "Vote", "投票";
    VotedFinal => "the content that counts", "与最终报告一致";
    VotedOther => "other content: conflict", "内容不同:冲突";
    VotedOpen => "voted; not final yet", "已投票;尚未定案";
    NoVote => "no vote", "未投票";
    OutageStart => "outage start", "停电开始";
    OutageEnd => "outage end", "停电结束";
    Batch => "measurement batch", "计量批次";
    Planned => "planned", "计划停电";
    Unplanned => "unplanned", "非计划停电";
    Valid => "valid", "有效";
    Revoked => "revoked", "已撤销";
    Suspended => "suspended", "已暂停";
    Expired => "expired", "已过期";
    AttesterDistrusted => "attester no longer trusted", "认证方已不受信任";
    ParentInvalid => "depends on an invalid attestation", "依赖的认证无效";
    NotFound => "not found", "未找到";
    Tokens => "tokens", "代币";
    OutAtLeast => "out ≥", "停电 ≥";
    Hours => "h", "小时";
    OverTime => "premiums in and payouts out over time (running totals, tokens)", "保费收入与赔付支出随时间累计(代币)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_asked_for_or_the_browsers() {
        assert_eq!(Lang::of(Some("zh"), None), Lang::Zh);
        assert_eq!(Lang::of(Some("en"), Some("zh-CN,zh;q=0.9")), Lang::En);
        assert_eq!(Lang::of(None, Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::of(None, Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::of(Some("fr"), None), Lang::En);
        assert_eq!(Lang::Zh.t(Text::Matches), "与链上数据一致");
    }
}
