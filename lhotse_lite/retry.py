"""How remote operations are retried after a transient error (timeouts, 5xx, throttling).

:func:`set_retry_policy`, or ``LHOTSE_LITE_REMOTE_ATTEMPTS`` (the number of tries), sets the policy of the
process; :mod:`lhotse_lite.remote` re-exports these names and applies :func:`retry_policy` to every remote
operation.

Example:
    >>> set_retry_policy(RetryPolicy(attempts=3, base_delay_s=0.1)); retry_policy().delay_s(1)
    0.2
    >>> set_retry_policy(None)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from lhotse_lite.errors import ConfigError

__all__ = ["ATTEMPTS_ENV_VAR", "RetryPolicy", "set_retry_policy", "retry_policy"]

ATTEMPTS_ENV_VAR = "LHOTSE_LITE_REMOTE_ATTEMPTS"
"""Read when :func:`set_retry_policy` was not called: the number of tries of a remote operation."""


@dataclass(frozen=True)
class RetryPolicy:
    """How remote operations are retried after a transient error.

    Args:
        attempts: Tries in all, the first included (1 disables retries). (Default: ``5``)
        base_delay_s: Wait before the second try; it doubles after each failure. (Default: ``0.2``)
        max_delay_s: The longest wait between two tries. (Default: ``5.0``)

    Raises:
        ConfigError: ``attempts`` < 1 or a negative delay.

    Example:
        >>> [RetryPolicy(attempts=4).delay_s(i) for i in range(3)]
        [0.2, 0.4, 0.8]
    """

    attempts: int = 5
    base_delay_s: float = 0.2
    max_delay_s: float = 5.0

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or isinstance(self.attempts, bool) or self.attempts < 1:
            raise ConfigError(f"RetryPolicy: expected attempts to be an int >= 1, got {self.attempts!r}")
        if not (self.base_delay_s >= 0 and self.max_delay_s >= 0):
            raise ConfigError(
                f"RetryPolicy: expected delays >= 0 s, got base_delay_s={self.base_delay_s!r}, "
                f"max_delay_s={self.max_delay_s!r}"
            )

    def delay_s(self, failures: int) -> float:
        """Seconds to wait after ``failures + 1`` failed tries."""
        return min(self.base_delay_s * 2**failures, self.max_delay_s)


_policy: Optional[RetryPolicy] = None


def set_retry_policy(policy: Optional[RetryPolicy]) -> None:
    """Sets how remote operations are retried in this process; ``None`` goes back to the default.

    Example:
        >>> set_retry_policy(RetryPolicy(attempts=2)); retry_policy().attempts
        2
        >>> set_retry_policy(None)
    """
    global _policy
    if policy is not None and not isinstance(policy, RetryPolicy):
        raise ConfigError(f"set_retry_policy: expected a RetryPolicy or None, got {policy!r}")
    _policy = policy


def retry_policy() -> RetryPolicy:
    """The retry policy in force: the one set, else :data:`ATTEMPTS_ENV_VAR`'s tries, else the default.

    Raises:
        ConfigError: :data:`ATTEMPTS_ENV_VAR` is not a positive integer.
    """
    if _policy is not None:
        return _policy
    value = os.environ.get(ATTEMPTS_ENV_VAR, "").strip()
    if not value:
        return RetryPolicy()
    try:
        return RetryPolicy(attempts=int(value))
    except ValueError as err:
        raise ConfigError(f"environment variable {ATTEMPTS_ENV_VAR}={value!r}: expected an integer >= 1") from err
