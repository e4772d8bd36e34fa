"""How receiving servers word each bounce reason: the phrase table.

Owns the phrases only, as regular expressions per reason, in the order they
are tried (the first that matches wins); a reason appears twice when some of its
wording must be tried before another reason's. Written from the wording of common
MTAs and providers; each entry is a phrase many servers use, never the text of
one particular message. Texts are matched lower-cased with whitespace collapsed.

Texts come from anyone, so every phrase must match in linear time: a gap between
words is bounded (`.{0,200}`), never an open `.*`, because a search
tries the gap from every occurrence of the word before it.
"""

from __future__ import annotations

import re

from postroom.dsn.result import Reason


def _any(*phrases: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in phrases))


# Order matters: a reason whose wording is specific comes before one whose wording
# is broad. A full mailbox mentions the user; a blocklist rejection often says
# "rejected"; a 5.1.1 reply often also says "recipient rejected".
PHRASES: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (
        # Limits on what the sender may send, worded with "quota" like a full mailbox.
        Reason.SPEEDING,
        _any(r"sending (?:quota|limit)", r"daily (?:user )?sending", r"send(?:ing)? rate"),
    ),
    (
        Reason.SYSTEM_FULL,
        _any(
            r"insufficient (?:system|disk) (?:storage|resources|space)",
            r"system (?:is )?full",
            r"disk (?:is )?full",
        ),
    ),
    (
        Reason.MAILBOX_FULL,
        _any(
            r"mailbox (?:is )?full",
            r"mailbox (?:has )?(?:exceeded|reached)",
            r"(?:account|inbox|mailbox|mailfolder|folder|box) (?:is )?(?:full|over)",
            r"over ?quota",
            r"quota ?(?:exceeded|violation|full)",
            r"exceed(?:ed|s)? (?:the |his |her |its )?(?:storage|quota|mailbox)",
            r"(?:disk|mail|storage|mailbox) quota",
            r"full mailbox",
            r"mailbox size limit",
            r"not enough (?:storage|space)",
            r"user has (?:too many messages|exceeded)",
            r"too much mail data",
            r"out of (?:mail ?box )?space",
            r"メールボックスが(?:一杯|いっぱい)",  # ja: the mailbox is full
            r"boîte (?:aux lettres )?(?:pleine|saturée)",  # fr
            r"postfach (?:ist )?voll",  # de
            r"buzón (?:está )?lleno",  # es
            r"邮箱(?:已满|空间不足)",  # zh
        ),
    ),
    (
        Reason.MESSAGE_TOO_BIG,
        _any(
            r"message (?:is )?too (?:big|large)",
            r"message size exceeds",
            r"message (?:length|size) (?:exceeds|is over)",
            r"exceeds (?:the )?(?:maximum|max) (?:message )?size",
            r"size (?:limit )?exceeded",
            r"message file too big",
        ),
    ),
    (
        Reason.VIRUS_DETECTED,
        _any(r"virus", r"malware", r"infected", r"malicious (?:content|attachment|code)"),
    ),
    (
        Reason.HAS_MOVED,
        _any(
            r"has moved",
            r"address (?:has )?changed",
            r"moved to",
            r"no longer (?:valid|at)",
            r"no longer accepts? mail",
            r"user not local; please try",
        ),
    ),
    (
        Reason.NOT_COMPLIANT_RFC,
        _any(
            r"\brfc ?5322\b",
            r"\brfc ?2822\b",
            r"not (?:rfc )?compliant",
            r"duplicate header",
            r"multiple addresses in",
        ),
    ),
    (
        Reason.NO_RELAYING,
        _any(
            r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)",
            r"not (?:permitted|allowed|authori[sz]ed) to relay",
            r"(?:unable|cannot|can't|not able) (?:to )?relay",
            r"we do not relay",
            r"no relaying",
            r"relaying (?:mail )?to .{0,200} (?:is )?not allowed",
            r"(?:not|n't) (?:configured|set up) to relay",
        ),
    ),
    (
        Reason.SUSPEND,
        _any(
            r"(?:account|mailbox|user|address|recipient)\S{0,64} (?:has been |is |was )?"
            r"(?:temporarily )?(?:disabled|suspended|deactivated|inactive|frozen|locked|"
            r"blocked|expired|closed|terminated)",
            r"(?:disabled|suspended|inactive|deactivated|closed) (?:account|mailbox|recipient)",
            r"not an active",
            r"(?:account|mailbox)[\w ]{0,30} (?:is|has been) "
            r"(?:disabled|inactive|suspended|deactivated)",
            r"temporar(?:y|ily) (?:locked|disabled|suspended)",
        ),
    ),
    (
        # What a server says about the connecting client, at the greeting or HELO
        # (RFC 5321 §3.1, §4.1.1.1): the sending host is refused, not the message.
        Reason.BLOCKED,
        _any(
            r"(?:helo|ehlo|my name)\b.{0,20}(?:rejected|refused|invalid)",
            r"refused to talk to me",
            r"messages? from \[?\d{1,3}(?:\.\d{1,3}){3}\]? (?:weren't|were not|was not|won't be)",
            r"(?:invalid|bad|unauthori[sz]ed) (?:sending )?ip\b",
        ),
    ),
    (
        # Providers that keep a list of addresses they no longer send to (SES).
        Reason.SUPPRESSED,
        _any(r"suppression list", r"suppressed (?:address|recipient)"),
    ),
    (
        # The envelope sender refused (RFC 5321 §3.3 MAIL FROM): a fault of ours, not
        # of the recipient, whatever the rest says ("domain not found" is the sender's).
        Reason.REJECTED,
        _any(
            r"sender address rejected",
            r"sender (?:domain|address) (?:must exist|not found|does not exist|is invalid)",
            r"domain of sender address",
            r"sender verify failed",
            r"envelope sender (?:is )?(?:invalid|rejected|denied)",
        ),
    ),
    (
        # A request to authenticate, which servers combine with relay refusals.
        Reason.SECURITY_ERROR,
        _any(r"smtp auth(?:entication)?\b", r"authentication (?:is )?required"),
    ),
    (
        # Links in the content on a blocklist: the message is spam, not the sender.
        Reason.SPAM_DETECTED,
        _any(
            r"(?:blacklisted|blocklisted|listed) (?:url|uri|link|domain)s? in (?:the )?message",
            r"likely unsolicited",
            r"(?:detected|classified|identified) as (?:spam|junk|bulk)",
            r"spam message",
        ),
    ),
    (
        # Servers that name the policy outright, before wording that mentions content.
        Reason.POLICY_VIOLATION,
        _any(r"for policy reasons", r"potential security issue", r"violates? (?:our|the) policy"),
    ),
    (
        # RFC 7505 null MX and its plain-language forms: the domain takes no mail.
        Reason.NOT_ACCEPT,
        _any(
            r"null mx",
            r"no smtp service",
            r"(?:doesn't|does not|don't|do not) (?:receive|accept) "
            r"(?:any )?(?:e-?)?mails?\b(?! from)",
        ),
    ),
    (
        # A temporary DNS failure names the domain too; it is not an unknown host.
        Reason.NETWORK_ERROR,
        _any(
            r"dns error",
            r"not found, try again",
            r"temporary failure in name resolution",
        ),
    ),
    (
        Reason.USER_UNKNOWN,
        _any(
            r"(?:user|mailbox|recipient|addressee|address|account|alias|local ?part|"
            r"e-?mail address|destination)s? (?:is |was |has been )?(?:unknown|not found|"
            r"does not exist|doesn't exist|not exist|invalid|unavailable|not valid|"
            r"could not be found|couldn't be found|not listed|not recogni[sz]ed)",
            r"(?:unknown|invalid|non-?existent|bad|illegal) "
            r"(?:user|recipient|mailbox|address|e-?mail|account|local ?part|alias|addressee)",
            r"no such (?:user|mailbox|recipient|address|account|person|local user)",
            r"no (?:mailbox|account|user) (?:here|by that name|with that name)",
            r"(?:user|recipient) (?:name )?(?:rejected|not recogni[sz]ed|not here)",
            r"not a (?:valid|known) (?:user|mailbox|recipient|address)",
            r"(?:doesn't|does not) have (?:a|an) [\w.-]+ account",
            r"recipient address rejected: (?:user|undeliverable|no such|unknown|invalid)",
            r"recipient address lookup failed",
            r"account (?:that )?you tried to reach does not exist",
            r"is not a valid (?:mailbox|recipient|user|address)",
            r"(?:mailbox|user|recipient) (?:name )?(?:is )?(?:not|no longer) (?:available|valid)",
            r"mailbox unavailable",
            r"(?:not our|no such) customer",
            r"recip(?:ient)?notfound",
            r"unknown or illegal",
            r"undeliverable address",
            r"not listed in (?:the )?(?:domino |public )?(?:directory|name)",
            r"(?:wasn't|was not) found at",
            # The same in other languages real servers answer in.
            r"(?:adresse|destinataire|utilisateur)s? (?:destinataire )?(?:invalide|inconnue?)",
            r"(?:empfänger|benutzer|adresse|postfach)\w{0,32} "
            r"(?:ist )?(?:unbekannt|existiert nicht)",
            r"usuario (?:desconocido|no existe)",
            r"нет такого пользователя|пользователь не найден",  # ru
            r"用户不存在",  # zh: the user does not exist
            r"宛先不明",  # ja: unknown destination
            r"there is no one at this address",
            r"user lookup (?:failed|error)",
            r"(?:invalid|unknown) (?:final )?(?:delivery )?user ?id",
            r"check if (?:the )?address is correct",
        ),
    ),
    (
        Reason.HOST_UNKNOWN,
        _any(
            r"(?:host|domain|hostname)s? (?:name )?(?:is )?(?:unknown|not found|"
            r"does not exist|doesn't exist|lookup failed|not known)",
            r"unknown (?:host|domain)",
            r"no such (?:host|domain)",
            r"name or service not known",
            r"unrouteable (?:mail )?domain",
            r"unrouteable address",
            r"(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,} (?:does not|doesn't) exist",
            r"(?:host or )?domain name not found",
            r"mx records? point to non-?existent",
            r"nxdomain",
            r"unresolvable",
            r"couldn't find any host",
            r"invalid domain",
            r"no (?:valid )?mx (?:or a )?records?",
            r"recipient domain (?:must exist|not found)",
            r"dns lookup fail",
            r"domain (?:is )?not reachable",
        ),
    ),
    (
        Reason.REQUIRE_PTR,
        _any(
            r"reverse (?:dns|lookup|hostname|dns lookup)",
            r"ptr (?:resource )?(?:record|lookup)",
            r"no ptr",
            r"(?:resolve|find) (?:your )?(?:ip|host ?name)",
            r"cannot find your hostname",
            r"(?:hostname|host name) (?:doesn't|does not) match",
            r"rdns",
            r"client host rejected: cannot find",
            r"mismatch(?:es)? (?:the )?client ip",
            r"(?:does not|doesn't) match (?:your |the )?(?:client |connecting )?ip",
        ),
    ),
    (
        Reason.AUTH_FAILURE,
        _any(
            r"\bspf\b",
            r"\bdkim\b",
            r"\bdmarc\b",
            r"sender policy framework",
            r"domainkeys",
            r"authentication (?:failed|failure|check)",
            r"unauthenticated (?:e-?mail|mail|message)s? from",
            r"(?:does not have|without) authentication information",
            r"fails? to pass authentication",
        ),
    ),
    (
        Reason.BAD_REPUTATION,
        _any(r"reputation", r"too many complaints"),
    ),
    (
        Reason.TOO_MANY_CONN,
        _any(
            r"too many (?:connections|concurrent|sessions|simultaneous)",
            r"connection (?:count )?limit",
            r"too many smtp sessions",
            r"too many recipients",
            r"connection frequency",
            r"connection rate",
            r"frequency limit",
        ),
    ),
    (
        Reason.SPEEDING,
        _any(
            r"rate limit",
            r"rate-limit",
            r"ratelimit",
            r"sending rate",
            r"too many (?:messages|emails|mails)",
            r"sent to too many recipients",
            r"receiving mail at a rate",
            r"throttl",
        ),
    ),
    (
        Reason.FAILED_STARTTLS,
        _any(
            r"starttls",
            r"tls (?:is )?required",
            r"requires? (?:tls|encryption)",
            r"(?:does not|doesn't) support (?:tls|ssl|encryption)",
        ),
    ),
    (
        Reason.BLOCKED,
        _any(
            r"blacklist",
            r"black list",
            r"blocklist",
            r"block list",
            r"denylist",
            r"\brbl\b",
            r"dnsbl",
            r"listed (?:in|on|at|by)",
            r"blocked (?:using|by|for)",
            r"spamhaus",
            r"spamcop",
            r"client host (?:\[[^\]]*\] )?(?:rejected|blocked)",
            r"(?:your|sender|client|connecting) ip\b",
            r"(?:your|client) (?:host|network)",
            r"ip (?:address )?(?:\S+ )?(?:is |has been )?(?:blocked|banned|rejected|not allowed)",
            r"has been blocked",
            r"\bblocked - see",
            r"connection (?:refused|rejected|dropped) (?:by|from|due)",
            r"not allowed to send",
            r"poor reputation",
            r"banned",
        ),
    ),
    (
        Reason.SPAM_DETECTED,
        _any(
            r"spam",
            r"junk mail",
            r"unsolicited",
            r"bulk mail",
            r"content filter",
            r"message (?:content )?(?:was )?(?:rejected|refused|blocked) (?:as|due to) "
            r"(?:spam|junk|bulk|unsolicited)",
            r"content (?:was )?rejected",
            r"\bube\b",
            r"classified as",
        ),
    ),
    (
        Reason.REJECTED,
        _any(
            r"sender (?:address )?(?:rejected|denied|refused|blocked|verify failed|invalid)",
            r"(?:invalid|unknown|bad|illegal) sender",
            r"domain of sender",
            r"sender domain",
            r"mail from",
            r"envelope sender",
            r"return path",
            r"sender is not",
            r"access denied",
            r"permission to post",
        ),
    ),
    (
        Reason.FILTERED,
        _any(
            r"recipient'?s? (?:policy|preferences|filter)",
            r"refused by (?:the )?recipient",
            r"not accepting (?:any )?mail",
            r"(?:message|mail) (?:was )?filtered",
            r"filter",
            r"user reject",
            r"does not accept mail from",
        ),
    ),
    (
        Reason.NOT_ACCEPT,
        _any(
            r"null mx",
            r"(?:couldn't|could not|can't|cannot) find a mail exchanger",
            r"does not accept (?:e-?)?mail",
            r"not accept(?:ing)? (?:e-?)?mail",
            r"accepts no mail",
        ),
    ),
    (
        Reason.POLICY_VIOLATION,
        _any(r"policy", r"prohibited", r"not permitted", r"violat"),
    ),
    (
        Reason.SECURITY_ERROR,
        _any(
            r"authentication required",
            r"unauthenticated",
            r"not authenticated",
            r"must (?:be )?authenticate",
            r"insecure",
            r"security",
            r"not authorized",
            r"unauthori[sz]ed",
        ),
    ),
    (
        Reason.CONTENT_ERROR,
        _any(
            # Not "content" or "MIME" alone: every bounce quotes Content-Type lines.
            r"content (?:was )?(?:rejected|refused|not accepted|error|restrictions?|problem)",
            r"(?:message|mail) content",
            r"(?:invalid|malformed|bad|broken|illegal) (?:mime|content|message structure)",
            r"\bmime\b[\w -]{0,20}(?:error|violation|invalid|malformed)",
            r"8-?bit (?:data|characters?) in",
            r"header (?:is )?(?:invalid|malformed|syntax)",
            r"(?:invalid|malformed|bad) header",
            r"headers? too (?:large|long|big|many)",
        ),
    ),
    (
        Reason.EXPIRED,
        _any(
            r"expired",
            r"time(?:d)? ?out",
            r"too long in (?:the )?queue",
            r"retry (?:timeout|time) (?:exceeded|reached)",
            r"retry time not reached for any host",
            r"giving up",
            r"gave up",
            r"could not be delivered (?:for|within|in)",
            r"not (?:been )?delivered within",
            r"(?:have|has) been failing for a long time",
            r"failed (?:after )?\d+ (?:delivery )?attempts",
            r"has not (?:yet )?been delivered",
            r"not been delivered (?:for|within)",
            r"delivery (?:time|attempts?) (?:expired|exceeded)",
            r"will (?:continue|keep) (?:to )?(?:try|trying)",
            r"delivery to the following recipients? (?:has been|was) delayed",
            r"did not accept our requests to connect",
        ),
    ),
    (
        Reason.NETWORK_ERROR,
        _any(
            r"connection (?:refused|reset|timed out|closed|lost|dropped)",
            r"lost connection",
            r"could not connect",
            r"(?:unable|failed) to connect",
            r"no route to host",
            r"network (?:is )?unreachable",
            r"host (?:is )?unreachable",
            r"loops? back to myself",
            r"mail (?:for .{0,200} )?loop",
            r"too many hops",
            r"hop count",
            r"routing loop",
            r"network error",
            r"not found, try again",
            r"dns (?:lookup )?(?:error|failure|failed)",
            r"temporary failure in name resolution",
            r"name server",
        ),
    ),
    (
        Reason.MAILER_ERROR,
        _any(r"mailer error", r"command (?:died|failed)", r"pipe to", r"procmail", r"exit code"),
    ),
    (
        Reason.SYNTAX_ERROR,
        _any(
            r"syntax error",
            r"command unrecogni[sz]ed",
            r"unrecogni[sz]ed command",
            r"not implemented",
        ),
    ),
    (
        Reason.SYSTEM_ERROR,
        _any(
            r"system error",
            r"internal (?:server )?error",
            r"configuration error",
            r"local error",
            r"server error",
            r"temporary (?:local )?problem",
            r"service (?:is )?(?:currently |temporarily )?(?:unavailable|not available)",
            r"transaction failed",
        ),
    ),
)
