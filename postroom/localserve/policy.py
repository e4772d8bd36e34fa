"""localserve's incoming policy: mail for any address is taken and stored in the local
account's mailbox (mail for an address of ours goes to that address's account), except
that special localparts (`localserve.failures`) get their simulated error instead, and
others (`localserve.reports`) a simulated report some time after they are accepted."""

from __future__ import annotations

from postroom.clock import Clock, SystemClock
from postroom.localserve.failures import SimulatedFailure, Stage, failure_stage, simulated_failure
from postroom.localserve.reports import ReportSender, report_kind, returned_message
from postroom.mail import Address
from postroom.smtp import (
    IncomingPolicy,
    LocalDelivery,
    OwnAddresses,
    RecipientDelivery,
    Refusal,
    codes,
)
from postroom.store.reader import Reader


class LocalservePolicy:
    def __init__(
        self,
        reader: Reader,
        *,
        account: str,
        timeout_seconds: float,
        reports: ReportSender | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._reader = reader
        self._reports = reports
        self._clock = clock or SystemClock()
        self._own: IncomingPolicy = OwnAddresses(reader, self._clock)
        self._account = account
        self._account_id: int | None = None
        self._timeout_seconds = timeout_seconds

    def _refusal(self, localpart: str, stage: Stage) -> Refusal | None:
        failure: SimulatedFailure | None = simulated_failure(localpart)
        if failure is None or failure_stage(localpart) is not stage:
            return None
        return Refusal(
            reply=codes.simulated_failure(failure.code),
            delay_seconds=self._timeout_seconds if failure.timeout else 0.0,
        )

    async def check_sender(self, sender: Address | None) -> Refusal | None:
        return self._refusal(sender.localpart, Stage.MAIL_FROM) if sender else None

    async def recipient(self, address: Address) -> tuple[RecipientDelivery, ...] | Refusal:
        refusal = self._refusal(address.localpart, Stage.RCPT_TO)
        if refusal is not None:
            return refusal
        ours = await self._own.recipient(address)
        if not isinstance(ours, Refusal):
            return ours
        return (LocalDelivery(account_id=await self._local_account_id(), fromid=""),)

    async def check_delivery(self, address: Address) -> Refusal | None:
        return self._refusal(address.localpart, Stage.DATA)

    def delivered(self, sender: Address | None, recipient: Address, data: bytes) -> None:
        kind = report_kind(recipient.localpart)
        if kind is None or self._reports is None:
            return
        message = returned_message(sender, recipient, data, self._clock.now())
        if message is not None:
            self._reports.schedule(kind, message)

    async def _local_account_id(self) -> int:
        if self._account_id is None:
            rows = await self._reader.fetch(
                "SELECT id FROM account WHERE name = ?", [self._account]
            )
            if not rows:
                raise LookupError(f"localserve account {self._account!r} is missing")
            self._account_id = int(rows[0]["id"])
        return self._account_id
