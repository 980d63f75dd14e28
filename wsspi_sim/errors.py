"""Winsock and Win32 error codes, NTSTATUS mapping, and the simulator's exceptions.

* :class:`ErrorCode` -- every Winsock error code of SPI-FACTS 1.2 plus the Win32
  ``ERROR_*`` codes the overlapped machinery reports.  ``str(code)`` gives
  ``"WSAENOTSOCK (10038): An operation was attempted on something that is not a
  socket."`` -- the name, the number and the text Windows' ``FormatMessage``
  prints for that number (the ``MessageText`` of the SDK's winerror.h).
  ``format(code)`` and f-strings behave like ``int`` (so ``f"{code:#x}"``
  works); use ``str(code)`` or ``{code!s}`` for the descriptive form.
* Every member (aliases included) is also a module-level name, so
  ``from wsspi_sim.errors import WSAENOTSOCK`` works and ``WSAENOTSOCK == 10038``.
* :func:`ntstatus_to_wsa`, :func:`ntstatus_to_win32`, :func:`wsa_to_ntstatus`,
  :func:`win32_from_wsa` -- the NTSTATUS <-> error mappings that decide what
  ``WSAGetOverlappedResult``, ``GetOverlappedResult`` and
  ``GetQueuedCompletionStatus`` report (WINDOWS-OBSERVED W42).
* :class:`WsspiSimError` and subclasses -- errors *of the simulator itself*
  (never Winsock errors, which are returned as codes as on Windows).
"""

from __future__ import annotations

import enum
from typing import Final

from .constants import (
    STATUS_ACCESS_DENIED,
    STATUS_ACCESS_VIOLATION,
    STATUS_ADDRESS_ALREADY_EXISTS,
    STATUS_BUFFER_OVERFLOW,
    STATUS_BUFFER_TOO_SMALL,
    STATUS_CANCELLED,
    STATUS_CONNECTION_ABORTED,
    STATUS_CONNECTION_ACTIVE,
    STATUS_CONNECTION_DISCONNECTED,
    STATUS_CONNECTION_REFUSED,
    STATUS_CONNECTION_RESET,
    STATUS_DEVICE_NOT_READY,
    STATUS_END_OF_FILE,
    STATUS_FILE_CLOSED,
    STATUS_GRACEFUL_DISCONNECT,
    STATUS_HOST_UNREACHABLE,
    STATUS_INSUFFICIENT_RESOURCES,
    STATUS_INVALID_ADDRESS,
    STATUS_INVALID_BUFFER_SIZE,
    STATUS_INVALID_CONNECTION,
    STATUS_INVALID_HANDLE,
    STATUS_INVALID_PARAMETER,
    STATUS_IO_TIMEOUT,
    STATUS_LINK_FAILED,
    STATUS_LOCAL_DISCONNECT,
    STATUS_NETWORK_BUSY,
    STATUS_NETWORK_UNREACHABLE,
    STATUS_NO_MEMORY,
    STATUS_NOT_FOUND,
    STATUS_NOT_IMPLEMENTED,
    STATUS_NOT_SUPPORTED,
    STATUS_OBJECT_TYPE_MISMATCH,
    STATUS_PENDING,
    STATUS_PIPE_DISCONNECTED,
    STATUS_PORT_UNREACHABLE,
    STATUS_PROTOCOL_UNREACHABLE,
    STATUS_REMOTE_DISCONNECT,
    STATUS_REMOTE_NOT_LISTENING,
    STATUS_REQUEST_ABORTED,
    STATUS_REQUEST_NOT_ACCEPTED,
    STATUS_SUCCESS,
    STATUS_TIMEOUT,
    STATUS_TRANSACTION_ABORTED,
    STATUS_UNSUCCESSFUL,
)

# ---------------------------------------------------------------------------
# Error codes
# ---------------------------------------------------------------------------


class ErrorCode(enum.IntEnum):
    """A Winsock (``WSA*``) or Win32 (``ERROR_*``) error code.

    Values are those of SPI-FACTS 1.2 (winsock2.h / winerror.h).  Where a
    Winsock name and a Win32 name share a number (``WSA_IO_PENDING`` ==
    ``ERROR_IO_PENDING`` == 997) the Winsock name is the canonical member and
    the Win32 name an enum alias.
    """

    NO_ERROR = 0
    ERROR_SUCCESS = 0  # alias

    # --- 1.2: Win32-mapped overlapped codes (winsock2.h maps them to ERROR_*)
    WSA_INVALID_HANDLE = 6
    WSA_NOT_ENOUGH_MEMORY = 8
    WSA_INVALID_PARAMETER = 87
    WSA_OPERATION_ABORTED = 995
    WSA_IO_INCOMPLETE = 996
    WSA_IO_PENDING = 997

    # --- 1.2: WSAE* = WSABASEERR (10000) + n
    WSAEINTR = 10004
    WSAEBADF = 10009
    WSAEACCES = 10013
    WSAEFAULT = 10014
    WSAEINVAL = 10022
    WSAEMFILE = 10024
    WSAEWOULDBLOCK = 10035
    WSAEINPROGRESS = 10036
    WSAEALREADY = 10037
    WSAENOTSOCK = 10038
    WSAEDESTADDRREQ = 10039
    WSAEMSGSIZE = 10040
    WSAEPROTOTYPE = 10041
    WSAENOPROTOOPT = 10042
    WSAEPROTONOSUPPORT = 10043
    WSAESOCKTNOSUPPORT = 10044
    WSAEOPNOTSUPP = 10045
    WSAEPFNOSUPPORT = 10046
    WSAEAFNOSUPPORT = 10047
    WSAEADDRINUSE = 10048
    WSAEADDRNOTAVAIL = 10049
    WSAENETDOWN = 10050
    WSAENETUNREACH = 10051
    WSAENETRESET = 10052
    WSAECONNABORTED = 10053
    WSAECONNRESET = 10054
    WSAENOBUFS = 10055
    WSAEISCONN = 10056
    WSAENOTCONN = 10057
    WSAESHUTDOWN = 10058
    WSAETOOMANYREFS = 10059
    WSAETIMEDOUT = 10060
    WSAECONNREFUSED = 10061
    WSAELOOP = 10062
    WSAENAMETOOLONG = 10063
    WSAEHOSTDOWN = 10064
    WSAEHOSTUNREACH = 10065
    WSAENOTEMPTY = 10066
    WSAEPROCLIM = 10067
    WSAEUSERS = 10068
    WSAEDQUOT = 10069
    WSAESTALE = 10070
    WSAEREMOTE = 10071
    WSASYSNOTREADY = 10091
    WSAVERNOTSUPPORTED = 10092
    WSANOTINITIALISED = 10093
    WSAEDISCON = 10101
    WSAENOMORE = 10102
    WSAECANCELLED = 10103
    WSAEINVALIDPROCTABLE = 10104
    WSAEINVALIDPROVIDER = 10105
    WSAEPROVIDERFAILEDINIT = 10106
    WSASYSCALLFAILURE = 10107
    WSASERVICE_NOT_FOUND = 10108
    WSATYPE_NOT_FOUND = 10109
    WSA_E_NO_MORE = 10110
    WSA_E_CANCELLED = 10111
    WSAEREFUSED = 10112
    WSAHOST_NOT_FOUND = 11001
    WSATRY_AGAIN = 11002
    WSANO_RECOVERY = 11003
    WSANO_DATA = 11004
    WSANO_ADDRESS = 11004  # alias

    # --- Win32 names of the 1.2 overlapped codes (aliases)
    ERROR_INVALID_HANDLE = 6
    ERROR_NOT_ENOUGH_MEMORY = 8
    ERROR_INVALID_PARAMETER = 87
    ERROR_OPERATION_ABORTED = 995
    ERROR_IO_INCOMPLETE = 996
    ERROR_IO_PENDING = 997

    # --- Win32 codes reported by GetOverlappedResult / GetQueuedCompletionStatus
    # (WINDOWS-OBSERVED top table, W42, W43, W79) or produced by
    # ntstatus_to_win32 (RtlNtStatusToDosError).
    ERROR_INVALID_FUNCTION = 1
    ERROR_ACCESS_DENIED = 5
    ERROR_NOT_READY = 21
    ERROR_GEN_FAILURE = 31
    ERROR_HANDLE_EOF = 38
    ERROR_NOT_SUPPORTED = 50
    ERROR_REM_NOT_LIST = 51
    ERROR_DUP_NAME = 52
    ERROR_NETWORK_BUSY = 54
    ERROR_UNEXP_NET_ERR = 59
    ERROR_NETNAME_DELETED = 64
    ERROR_REQ_NOT_ACCEP = 71
    ERROR_SEM_TIMEOUT = 121
    ERROR_INSUFFICIENT_BUFFER = 122
    ERROR_PIPE_NOT_CONNECTED = 233
    ERROR_MORE_DATA = 234
    ERROR_NOACCESS = 998
    ERROR_NOT_FOUND = 1168
    ERROR_CONNECTION_REFUSED = 1225
    ERROR_GRACEFUL_DISCONNECT = 1226
    ERROR_CONNECTION_ACTIVE = 1230
    ERROR_NETWORK_UNREACHABLE = 1231
    ERROR_HOST_UNREACHABLE = 1232
    ERROR_PROTOCOL_UNREACHABLE = 1233
    ERROR_PORT_UNREACHABLE = 1234
    ERROR_REQUEST_ABORTED = 1235
    ERROR_CONNECTION_ABORTED = 1236
    ERROR_NO_SYSTEM_RESOURCES = 1450
    ERROR_TIMEOUT = 1460
    ERROR_INVALID_USER_BUFFER = 1784

    @property
    def message(self) -> str:
        """The system message text Windows' ``FormatMessage`` gives for this code."""
        return _MESSAGES[self.value]

    def __str__(self) -> str:
        return f"{self.name} ({self.value}): {self.message}"

    def __format__(self, format_spec: str) -> str:
        # Same on every Python version: format like the int (3.10's Enum
        # would otherwise route f-strings through the overridden __str__).
        return int.__format__(int(self), format_spec)

    @classmethod
    def lookup(cls, x: int | str) -> ErrorCode:
        """The member for a number (``10038``) or a name (``"WSAENOTSOCK"``).

        Names are matched exactly, then upper-cased; aliases are accepted and
        resolve to the canonical member (``lookup("ERROR_IO_PENDING")`` is
        ``WSA_IO_PENDING``).  Raises :class:`ValueError` naming ``x`` for an
        unknown code or name and :class:`TypeError` for other argument types.
        """
        if isinstance(x, bool) or not isinstance(x, (int, str)):
            raise TypeError(
                f"ErrorCode.lookup(x): x must be an int or a str, not {type(x).__name__}"
            )
        if isinstance(x, str):
            name = x.strip()
            member = cls.__members__.get(name)
            if member is None:
                member = cls.__members__.get(name.upper())
            if member is None:
                raise ValueError(
                    f"ErrorCode.lookup(x): x={x!r} is not the name of a known "
                    "Winsock or Win32 error code"
                )
            return member
        try:
            return cls(x)
        except ValueError:
            raise ValueError(
                f"ErrorCode.lookup(x): x={x} is not a known Winsock or Win32 error code"
            ) from None


# FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM) texts: the MessageText entries of
# the Windows SDK winerror.h (current wording where Windows 10 changed it,
# e.g. ERROR_NOT_ENOUGH_MEMORY) and Microsoft's "Windows Sockets Error Codes"
# and "System Error Codes" pages.  Keyed by value, so aliases share the text.
_MESSAGES: Final[dict[int, str]] = {
    0: "The operation completed successfully.",
    1: "Incorrect function.",
    5: "Access is denied.",
    6: "The handle is invalid.",
    8: "Not enough memory resources are available to process this command.",
    21: "The device is not ready.",
    31: "A device attached to the system is not functioning.",
    38: "Reached the end of the file.",
    50: "The request is not supported.",
    51: (
        "Windows cannot find the network path. Verify that the network path is correct "
        "and the destination computer is not busy or turned off. If Windows still cannot "
        "find the network path, contact your network administrator."
    ),
    52: (
        "You were not connected because a duplicate name exists on the network. If joining "
        "a domain, go to System in Control Panel to change the computer name and try again. "
        "If joining a workgroup, choose another workgroup name."
    ),
    54: "The network is busy.",
    59: "An unexpected network error occurred.",
    64: "The specified network name is no longer available.",
    71: (
        "No more connections can be made to this remote computer at this time because "
        "there are already as many connections as the computer can accept."
    ),
    87: "The parameter is incorrect.",
    121: "The semaphore timeout period has expired.",
    122: "The data area passed to a system call is too small.",
    233: "No process is on the other end of the pipe.",
    234: "More data is available.",
    995: (
        "The I/O operation has been aborted because of either a thread exit or an "
        "application request."
    ),
    996: "Overlapped I/O event is not in a signaled state.",
    997: "Overlapped I/O operation is in progress.",
    998: "Invalid access to memory location.",
    1168: "Element not found.",
    1225: "The remote computer refused the network connection.",
    1226: "The network connection was gracefully closed.",
    1230: "An invalid operation was attempted on an active network connection.",
    1231: (
        "The network location cannot be reached. For information about network "
        "troubleshooting, see Windows Help."
    ),
    1232: (
        "The network location cannot be reached. For information about network "
        "troubleshooting, see Windows Help."
    ),
    1233: (
        "The network location cannot be reached. For information about network "
        "troubleshooting, see Windows Help."
    ),
    1234: "No service is operating at the destination network endpoint on the remote system.",
    1235: "The request was aborted.",
    1236: "The network connection was aborted by the local system.",
    1450: "Insufficient system resources exist to complete the requested service.",
    1460: "This operation returned because the timeout period expired.",
    1784: "The supplied user buffer is not valid for the requested operation.",
    10004: "A blocking operation was interrupted by a call to WSACancelBlockingCall.",
    10009: "The file handle supplied is not valid.",
    10013: "An attempt was made to access a socket in a way forbidden by its access permissions.",
    10014: (
        "The system detected an invalid pointer address in attempting to use a pointer "
        "argument in a call."
    ),
    10022: "An invalid argument was supplied.",
    10024: "Too many open sockets.",
    10035: "A non-blocking socket operation could not be completed immediately.",
    10036: "A blocking operation is currently executing.",
    10037: (
        "An operation was attempted on a non-blocking socket that already had an "
        "operation in progress."
    ),
    10038: "An operation was attempted on something that is not a socket.",
    10039: "A required address was omitted from an operation on a socket.",
    10040: (
        "A message sent on a datagram socket was larger than the internal message buffer "
        "or some other network limit, or the buffer used to receive a datagram into was "
        "smaller than the datagram itself."
    ),
    10041: (
        "A protocol was specified in the socket function call that does not support the "
        "semantics of the socket type requested."
    ),
    10042: (
        "An unknown, invalid, or unsupported option or level was specified in a getsockopt "
        "or setsockopt call."
    ),
    10043: (
        "The requested protocol has not been configured into the system, or no "
        "implementation for it exists."
    ),
    10044: "The support for the specified socket type does not exist in this address family.",
    10045: "The attempted operation is not supported for the type of object referenced.",
    10046: (
        "The protocol family has not been configured into the system or no implementation "
        "for it exists."
    ),
    10047: "An address incompatible with the requested protocol was used.",
    10048: (
        "Only one usage of each socket address (protocol/network address/port) is normally "
        "permitted."
    ),
    10049: "The requested address is not valid in its context.",
    10050: "A socket operation encountered a dead network.",
    10051: "A socket operation was attempted to an unreachable network.",
    10052: (
        "The connection has been broken due to keep-alive activity detecting a failure "
        "while the operation was in progress."
    ),
    10053: "An established connection was aborted by the software in your host machine.",
    10054: "An existing connection was forcibly closed by the remote host.",
    10055: (
        "An operation on a socket could not be performed because the system lacked "
        "sufficient buffer space or because a queue was full."
    ),
    10056: "A connect request was made on an already connected socket.",
    10057: (
        "A request to send or receive data was disallowed because the socket is not "
        "connected and (when sending on a datagram socket using a sendto call) no address "
        "was supplied."
    ),
    10058: (
        "A request to send or receive data was disallowed because the socket had already "
        "been shut down in that direction with a previous shutdown call."
    ),
    10059: "Too many references to some kernel object.",
    10060: (
        "A connection attempt failed because the connected party did not properly respond "
        "after a period of time, or established connection failed because connected host "
        "has failed to respond."
    ),
    10061: "No connection could be made because the target machine actively refused it.",
    10062: "Cannot translate name.",
    10063: "Name component or name was too long.",
    10064: "A socket operation failed because the destination host was down.",
    10065: "A socket operation was attempted to an unreachable host.",
    10066: "Cannot remove a directory that is not empty.",
    10067: (
        "A Windows Sockets implementation may have a limit on the number of applications "
        "that may use it simultaneously."
    ),
    10068: "Ran out of quota.",
    10069: "Ran out of disk quota.",
    10070: "File handle reference is no longer available.",
    10071: "Item is not available locally.",
    10091: (
        "WSAStartup cannot function at this time because the underlying system it uses to "
        "provide network services is currently unavailable."
    ),
    10092: "The Windows Sockets version requested is not supported.",
    10093: "Either the application has not called WSAStartup, or WSAStartup failed.",
    10101: (
        "Returned by WSARecv or WSARecvFrom to indicate the remote party has initiated a "
        "graceful shutdown sequence."
    ),
    10102: "No more results can be returned by WSALookupServiceNext.",
    10103: (
        "A call to WSALookupServiceEnd was made while this call was still processing. The "
        "call has been canceled."
    ),
    10104: "The procedure call table is invalid.",
    10105: "The requested service provider is invalid.",
    10106: "The requested service provider could not be loaded or initialized.",
    10107: "A system call has failed.",
    10108: "No such service is known. The service cannot be found in the specified name space.",
    10109: "The specified class was not found.",
    10110: "No more results can be returned by WSALookupServiceNext.",
    10111: (
        "A call to WSALookupServiceEnd was made while this call was still processing. The "
        "call has been canceled."
    ),
    10112: "A database query failed because it was actively refused.",
    11001: "No such host is known.",
    11002: (
        "This is usually a temporary error during hostname resolution and means that the "
        "local server did not receive a response from an authoritative server."
    ),
    11003: "A non-recoverable error occurred during a database lookup.",
    11004: "The requested name is valid, but no data of the requested type was found.",
}

# Module-level names for every member, aliases included (written out so that
# mypy sees them).
NO_ERROR: Final = ErrorCode.NO_ERROR
ERROR_SUCCESS: Final = ErrorCode.ERROR_SUCCESS
WSA_INVALID_HANDLE: Final = ErrorCode.WSA_INVALID_HANDLE
WSA_NOT_ENOUGH_MEMORY: Final = ErrorCode.WSA_NOT_ENOUGH_MEMORY
WSA_INVALID_PARAMETER: Final = ErrorCode.WSA_INVALID_PARAMETER
WSA_OPERATION_ABORTED: Final = ErrorCode.WSA_OPERATION_ABORTED
WSA_IO_INCOMPLETE: Final = ErrorCode.WSA_IO_INCOMPLETE
WSA_IO_PENDING: Final = ErrorCode.WSA_IO_PENDING
WSAEINTR: Final = ErrorCode.WSAEINTR
WSAEBADF: Final = ErrorCode.WSAEBADF
WSAEACCES: Final = ErrorCode.WSAEACCES
WSAEFAULT: Final = ErrorCode.WSAEFAULT
WSAEINVAL: Final = ErrorCode.WSAEINVAL
WSAEMFILE: Final = ErrorCode.WSAEMFILE
WSAEWOULDBLOCK: Final = ErrorCode.WSAEWOULDBLOCK
WSAEINPROGRESS: Final = ErrorCode.WSAEINPROGRESS
WSAEALREADY: Final = ErrorCode.WSAEALREADY
WSAENOTSOCK: Final = ErrorCode.WSAENOTSOCK
WSAEDESTADDRREQ: Final = ErrorCode.WSAEDESTADDRREQ
WSAEMSGSIZE: Final = ErrorCode.WSAEMSGSIZE
WSAEPROTOTYPE: Final = ErrorCode.WSAEPROTOTYPE
WSAENOPROTOOPT: Final = ErrorCode.WSAENOPROTOOPT
WSAEPROTONOSUPPORT: Final = ErrorCode.WSAEPROTONOSUPPORT
WSAESOCKTNOSUPPORT: Final = ErrorCode.WSAESOCKTNOSUPPORT
WSAEOPNOTSUPP: Final = ErrorCode.WSAEOPNOTSUPP
WSAEPFNOSUPPORT: Final = ErrorCode.WSAEPFNOSUPPORT
WSAEAFNOSUPPORT: Final = ErrorCode.WSAEAFNOSUPPORT
WSAEADDRINUSE: Final = ErrorCode.WSAEADDRINUSE
WSAEADDRNOTAVAIL: Final = ErrorCode.WSAEADDRNOTAVAIL
WSAENETDOWN: Final = ErrorCode.WSAENETDOWN
WSAENETUNREACH: Final = ErrorCode.WSAENETUNREACH
WSAENETRESET: Final = ErrorCode.WSAENETRESET
WSAECONNABORTED: Final = ErrorCode.WSAECONNABORTED
WSAECONNRESET: Final = ErrorCode.WSAECONNRESET
WSAENOBUFS: Final = ErrorCode.WSAENOBUFS
WSAEISCONN: Final = ErrorCode.WSAEISCONN
WSAENOTCONN: Final = ErrorCode.WSAENOTCONN
WSAESHUTDOWN: Final = ErrorCode.WSAESHUTDOWN
WSAETOOMANYREFS: Final = ErrorCode.WSAETOOMANYREFS
WSAETIMEDOUT: Final = ErrorCode.WSAETIMEDOUT
WSAECONNREFUSED: Final = ErrorCode.WSAECONNREFUSED
WSAELOOP: Final = ErrorCode.WSAELOOP
WSAENAMETOOLONG: Final = ErrorCode.WSAENAMETOOLONG
WSAEHOSTDOWN: Final = ErrorCode.WSAEHOSTDOWN
WSAEHOSTUNREACH: Final = ErrorCode.WSAEHOSTUNREACH
WSAENOTEMPTY: Final = ErrorCode.WSAENOTEMPTY
WSAEPROCLIM: Final = ErrorCode.WSAEPROCLIM
WSAEUSERS: Final = ErrorCode.WSAEUSERS
WSAEDQUOT: Final = ErrorCode.WSAEDQUOT
WSAESTALE: Final = ErrorCode.WSAESTALE
WSAEREMOTE: Final = ErrorCode.WSAEREMOTE
WSASYSNOTREADY: Final = ErrorCode.WSASYSNOTREADY
WSAVERNOTSUPPORTED: Final = ErrorCode.WSAVERNOTSUPPORTED
WSANOTINITIALISED: Final = ErrorCode.WSANOTINITIALISED
WSAEDISCON: Final = ErrorCode.WSAEDISCON
WSAENOMORE: Final = ErrorCode.WSAENOMORE
WSAECANCELLED: Final = ErrorCode.WSAECANCELLED
WSAEINVALIDPROCTABLE: Final = ErrorCode.WSAEINVALIDPROCTABLE
WSAEINVALIDPROVIDER: Final = ErrorCode.WSAEINVALIDPROVIDER
WSAEPROVIDERFAILEDINIT: Final = ErrorCode.WSAEPROVIDERFAILEDINIT
WSASYSCALLFAILURE: Final = ErrorCode.WSASYSCALLFAILURE
WSASERVICE_NOT_FOUND: Final = ErrorCode.WSASERVICE_NOT_FOUND
WSATYPE_NOT_FOUND: Final = ErrorCode.WSATYPE_NOT_FOUND
WSA_E_NO_MORE: Final = ErrorCode.WSA_E_NO_MORE
WSA_E_CANCELLED: Final = ErrorCode.WSA_E_CANCELLED
WSAEREFUSED: Final = ErrorCode.WSAEREFUSED
WSAHOST_NOT_FOUND: Final = ErrorCode.WSAHOST_NOT_FOUND
WSATRY_AGAIN: Final = ErrorCode.WSATRY_AGAIN
WSANO_RECOVERY: Final = ErrorCode.WSANO_RECOVERY
WSANO_DATA: Final = ErrorCode.WSANO_DATA
WSANO_ADDRESS: Final = ErrorCode.WSANO_ADDRESS
ERROR_INVALID_HANDLE: Final = ErrorCode.ERROR_INVALID_HANDLE
ERROR_NOT_ENOUGH_MEMORY: Final = ErrorCode.ERROR_NOT_ENOUGH_MEMORY
ERROR_INVALID_PARAMETER: Final = ErrorCode.ERROR_INVALID_PARAMETER
ERROR_OPERATION_ABORTED: Final = ErrorCode.ERROR_OPERATION_ABORTED
ERROR_IO_INCOMPLETE: Final = ErrorCode.ERROR_IO_INCOMPLETE
ERROR_IO_PENDING: Final = ErrorCode.ERROR_IO_PENDING
ERROR_INVALID_FUNCTION: Final = ErrorCode.ERROR_INVALID_FUNCTION
ERROR_ACCESS_DENIED: Final = ErrorCode.ERROR_ACCESS_DENIED
ERROR_NOT_READY: Final = ErrorCode.ERROR_NOT_READY
ERROR_GEN_FAILURE: Final = ErrorCode.ERROR_GEN_FAILURE
ERROR_HANDLE_EOF: Final = ErrorCode.ERROR_HANDLE_EOF
ERROR_NOT_SUPPORTED: Final = ErrorCode.ERROR_NOT_SUPPORTED
ERROR_REM_NOT_LIST: Final = ErrorCode.ERROR_REM_NOT_LIST
ERROR_DUP_NAME: Final = ErrorCode.ERROR_DUP_NAME
ERROR_NETWORK_BUSY: Final = ErrorCode.ERROR_NETWORK_BUSY
ERROR_UNEXP_NET_ERR: Final = ErrorCode.ERROR_UNEXP_NET_ERR
ERROR_NETNAME_DELETED: Final = ErrorCode.ERROR_NETNAME_DELETED
ERROR_REQ_NOT_ACCEP: Final = ErrorCode.ERROR_REQ_NOT_ACCEP
ERROR_SEM_TIMEOUT: Final = ErrorCode.ERROR_SEM_TIMEOUT
ERROR_INSUFFICIENT_BUFFER: Final = ErrorCode.ERROR_INSUFFICIENT_BUFFER
ERROR_PIPE_NOT_CONNECTED: Final = ErrorCode.ERROR_PIPE_NOT_CONNECTED
ERROR_MORE_DATA: Final = ErrorCode.ERROR_MORE_DATA
ERROR_NOACCESS: Final = ErrorCode.ERROR_NOACCESS
ERROR_NOT_FOUND: Final = ErrorCode.ERROR_NOT_FOUND
ERROR_CONNECTION_REFUSED: Final = ErrorCode.ERROR_CONNECTION_REFUSED
ERROR_GRACEFUL_DISCONNECT: Final = ErrorCode.ERROR_GRACEFUL_DISCONNECT
ERROR_CONNECTION_ACTIVE: Final = ErrorCode.ERROR_CONNECTION_ACTIVE
ERROR_NETWORK_UNREACHABLE: Final = ErrorCode.ERROR_NETWORK_UNREACHABLE
ERROR_HOST_UNREACHABLE: Final = ErrorCode.ERROR_HOST_UNREACHABLE
ERROR_PROTOCOL_UNREACHABLE: Final = ErrorCode.ERROR_PROTOCOL_UNREACHABLE
ERROR_PORT_UNREACHABLE: Final = ErrorCode.ERROR_PORT_UNREACHABLE
ERROR_REQUEST_ABORTED: Final = ErrorCode.ERROR_REQUEST_ABORTED
ERROR_CONNECTION_ABORTED: Final = ErrorCode.ERROR_CONNECTION_ABORTED
ERROR_NO_SYSTEM_RESOURCES: Final = ErrorCode.ERROR_NO_SYSTEM_RESOURCES
ERROR_TIMEOUT: Final = ErrorCode.ERROR_TIMEOUT
ERROR_INVALID_USER_BUFFER: Final = ErrorCode.ERROR_INVALID_USER_BUFFER

# ---------------------------------------------------------------------------
# NTSTATUS mapping
# ---------------------------------------------------------------------------


def error_name(code: int) -> str:
    """The Windows name of an error code ("WSAENOTSOCK"), or the number as text
    when it is not one the simulator knows."""
    try:
        return ErrorCode(code).name
    except ValueError:
        return str(code)


def _u32(value: int, param: str) -> int:
    """Normalise a signed or unsigned 32-bit NTSTATUS to its unsigned form."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{param} must be an int (an NTSTATUS), not {type(value).__name__}")
    if not -0x80000000 <= value <= 0xFFFFFFFF:
        raise ValueError(f"{param}={value:#x} is not a 32-bit NTSTATUS value")
    return value & 0xFFFFFFFF


def nt_success(status: int) -> bool:
    """``NT_SUCCESS(status)``: true for success and informational statuses
    (0x00000000-0x7FFFFFFF), false for warnings and errors."""
    return _u32(status, "status") < 0x80000000


# The status -> Winsock error table ws2_32 applies when it reports an
# overlapped result (WSAGetOverlappedResult, completion routines):
# WINDOWS-OBSERVED W42, which was checked on real Windows against this table.
# ReactOS' msafd (SPI-FACTS 4.7) differs in places (STATUS_PENDING ->
# WSA_IO_PENDING, STATUS_TIMEOUT -> WSAETIMEDOUT, STATUS_REMOTE_DISCONNECT ->
# WSAECONNREFUSED, default WSAENETDOWN); the observed Windows values win here.
_NTSTATUS_TO_WSA: Final[dict[int, ErrorCode]] = {
    STATUS_PENDING: ErrorCode.WSA_IO_INCOMPLETE,  # W42: a still-pending request
    STATUS_BUFFER_OVERFLOW: ErrorCode.WSAEMSGSIZE,  # warning, but a failure (W83)
    STATUS_NOT_IMPLEMENTED: ErrorCode.WSAEOPNOTSUPP,
    STATUS_ACCESS_VIOLATION: ErrorCode.WSAEFAULT,
    STATUS_INVALID_HANDLE: ErrorCode.WSAENOTSOCK,
    STATUS_NO_MEMORY: ErrorCode.WSAENOBUFS,
    STATUS_ACCESS_DENIED: ErrorCode.WSAEACCES,
    STATUS_BUFFER_TOO_SMALL: ErrorCode.WSAEFAULT,
    STATUS_OBJECT_TYPE_MISMATCH: ErrorCode.WSAENOTSOCK,
    STATUS_INSUFFICIENT_RESOURCES: ErrorCode.WSAENOBUFS,
    STATUS_DEVICE_NOT_READY: ErrorCode.WSAEWOULDBLOCK,
    STATUS_PIPE_DISCONNECTED: ErrorCode.WSAESHUTDOWN,
    STATUS_IO_TIMEOUT: ErrorCode.WSAETIMEDOUT,
    STATUS_NOT_SUPPORTED: ErrorCode.WSAEOPNOTSUPP,
    STATUS_REMOTE_NOT_LISTENING: ErrorCode.WSAECONNREFUSED,
    STATUS_NETWORK_BUSY: ErrorCode.WSAENETDOWN,
    STATUS_REQUEST_NOT_ACCEPTED: ErrorCode.WSAEWOULDBLOCK,
    STATUS_CANCELLED: ErrorCode.WSA_OPERATION_ABORTED,
    STATUS_LOCAL_DISCONNECT: ErrorCode.WSAECONNABORTED,
    STATUS_REMOTE_DISCONNECT: ErrorCode.WSAECONNRESET,
    STATUS_LINK_FAILED: ErrorCode.WSAECONNRESET,
    STATUS_INVALID_CONNECTION: ErrorCode.WSAENOTCONN,
    STATUS_INVALID_ADDRESS: ErrorCode.WSAEADDRNOTAVAIL,
    STATUS_INVALID_BUFFER_SIZE: ErrorCode.WSAEMSGSIZE,
    STATUS_ADDRESS_ALREADY_EXISTS: ErrorCode.WSAEADDRINUSE,
    STATUS_CONNECTION_DISCONNECTED: ErrorCode.WSAECONNRESET,
    STATUS_CONNECTION_RESET: ErrorCode.WSAECONNRESET,
    STATUS_TRANSACTION_ABORTED: ErrorCode.WSAECONNABORTED,
    STATUS_CONNECTION_REFUSED: ErrorCode.WSAECONNREFUSED,
    STATUS_GRACEFUL_DISCONNECT: ErrorCode.WSAEDISCON,
    STATUS_CONNECTION_ACTIVE: ErrorCode.WSAEISCONN,
    STATUS_NETWORK_UNREACHABLE: ErrorCode.WSAENETUNREACH,
    STATUS_HOST_UNREACHABLE: ErrorCode.WSAEHOSTUNREACH,
    STATUS_PROTOCOL_UNREACHABLE: ErrorCode.WSAENETUNREACH,
    STATUS_PORT_UNREACHABLE: ErrorCode.WSAECONNRESET,
    STATUS_REQUEST_ABORTED: ErrorCode.WSAEINTR,
    STATUS_CONNECTION_ABORTED: ErrorCode.WSAECONNABORTED,
}


def ntstatus_to_wsa(status: int) -> ErrorCode:
    """The Winsock error ``WSAGetOverlappedResult`` reports for a request whose
    ``OVERLAPPED.Internal`` holds ``status`` (WINDOWS-OBSERVED W42).

    ``STATUS_PENDING`` gives ``WSA_IO_INCOMPLETE``; ``STATUS_BUFFER_OVERFLOW``
    (a warning) gives ``WSAEMSGSIZE``; any other success or informational
    status gives ``NO_ERROR`` (the call returns TRUE); any other failure gives
    ``WSAEINVAL``.  ``status`` may be given signed or unsigned.
    """
    s = _u32(status, "status")
    mapped = _NTSTATUS_TO_WSA.get(s)
    if mapped is not None:
        return mapped
    return ErrorCode.NO_ERROR if s < 0x80000000 else ErrorCode.WSAEINVAL


# RtlNtStatusToDosError for the statuses in constants.py (the table Windows
# uses, as reproduced in Wine's ntdll error.c, which was generated from it).
_NTSTATUS_TO_WIN32: Final[dict[int, ErrorCode]] = {
    STATUS_SUCCESS: ErrorCode.NO_ERROR,
    STATUS_TIMEOUT: ErrorCode.ERROR_TIMEOUT,
    STATUS_PENDING: ErrorCode.ERROR_IO_PENDING,
    STATUS_BUFFER_OVERFLOW: ErrorCode.ERROR_MORE_DATA,
    STATUS_UNSUCCESSFUL: ErrorCode.ERROR_GEN_FAILURE,
    STATUS_NOT_IMPLEMENTED: ErrorCode.ERROR_INVALID_FUNCTION,
    STATUS_ACCESS_VIOLATION: ErrorCode.ERROR_NOACCESS,
    STATUS_INVALID_HANDLE: ErrorCode.ERROR_INVALID_HANDLE,
    STATUS_INVALID_PARAMETER: ErrorCode.ERROR_INVALID_PARAMETER,
    STATUS_END_OF_FILE: ErrorCode.ERROR_HANDLE_EOF,
    STATUS_NO_MEMORY: ErrorCode.ERROR_NOT_ENOUGH_MEMORY,
    STATUS_ACCESS_DENIED: ErrorCode.ERROR_ACCESS_DENIED,
    STATUS_BUFFER_TOO_SMALL: ErrorCode.ERROR_INSUFFICIENT_BUFFER,
    STATUS_OBJECT_TYPE_MISMATCH: ErrorCode.ERROR_INVALID_HANDLE,
    STATUS_INSUFFICIENT_RESOURCES: ErrorCode.ERROR_NO_SYSTEM_RESOURCES,
    STATUS_DEVICE_NOT_READY: ErrorCode.ERROR_NOT_READY,
    STATUS_PIPE_DISCONNECTED: ErrorCode.ERROR_PIPE_NOT_CONNECTED,
    STATUS_IO_TIMEOUT: ErrorCode.ERROR_SEM_TIMEOUT,
    STATUS_NOT_SUPPORTED: ErrorCode.ERROR_NOT_SUPPORTED,
    STATUS_REMOTE_NOT_LISTENING: ErrorCode.ERROR_REM_NOT_LIST,
    STATUS_NETWORK_BUSY: ErrorCode.ERROR_NETWORK_BUSY,
    STATUS_REQUEST_NOT_ACCEPTED: ErrorCode.ERROR_REQ_NOT_ACCEP,
    STATUS_CANCELLED: ErrorCode.ERROR_OPERATION_ABORTED,
    STATUS_FILE_CLOSED: ErrorCode.ERROR_INVALID_HANDLE,
    STATUS_LOCAL_DISCONNECT: ErrorCode.ERROR_NETNAME_DELETED,
    STATUS_REMOTE_DISCONNECT: ErrorCode.ERROR_NETNAME_DELETED,
    STATUS_LINK_FAILED: ErrorCode.ERROR_UNEXP_NET_ERR,
    STATUS_INVALID_CONNECTION: ErrorCode.ERROR_UNEXP_NET_ERR,
    STATUS_INVALID_ADDRESS: ErrorCode.ERROR_UNEXP_NET_ERR,
    STATUS_INVALID_BUFFER_SIZE: ErrorCode.ERROR_INVALID_USER_BUFFER,
    STATUS_ADDRESS_ALREADY_EXISTS: ErrorCode.ERROR_DUP_NAME,
    STATUS_CONNECTION_DISCONNECTED: ErrorCode.ERROR_NETNAME_DELETED,
    STATUS_CONNECTION_RESET: ErrorCode.ERROR_NETNAME_DELETED,  # W42: 64
    STATUS_TRANSACTION_ABORTED: ErrorCode.ERROR_UNEXP_NET_ERR,
    STATUS_NOT_FOUND: ErrorCode.ERROR_NOT_FOUND,
    STATUS_CONNECTION_REFUSED: ErrorCode.ERROR_CONNECTION_REFUSED,  # W43: 1225
    STATUS_GRACEFUL_DISCONNECT: ErrorCode.ERROR_GRACEFUL_DISCONNECT,
    STATUS_CONNECTION_ACTIVE: ErrorCode.ERROR_CONNECTION_ACTIVE,
    STATUS_NETWORK_UNREACHABLE: ErrorCode.ERROR_NETWORK_UNREACHABLE,
    STATUS_HOST_UNREACHABLE: ErrorCode.ERROR_HOST_UNREACHABLE,
    STATUS_PROTOCOL_UNREACHABLE: ErrorCode.ERROR_PROTOCOL_UNREACHABLE,
    STATUS_PORT_UNREACHABLE: ErrorCode.ERROR_PORT_UNREACHABLE,
    STATUS_REQUEST_ABORTED: ErrorCode.ERROR_REQUEST_ABORTED,
    STATUS_CONNECTION_ABORTED: ErrorCode.ERROR_CONNECTION_ABORTED,  # W42: 1236
}


def ntstatus_to_win32(status: int) -> ErrorCode:
    """``RtlNtStatusToDosError(status)``: the Win32 error ``GetOverlappedResult``,
    ``GetQueuedCompletionStatus`` and ``GetLastError`` report for ``status``.

    Covers every NTSTATUS defined in :mod:`wsspi_sim.constants` except
    ``STATUS_CANT_WAIT``, which Windows' own table leaves unmapped.  For such
    values this is a simplification: an unlisted success or informational
    status gives ``NO_ERROR``, an unlisted warning or error gives
    ``ERROR_INVALID_PARAMETER`` (real Windows consults a much larger table and
    answers ``ERROR_MR_MID_NOT_FOUND`` (317) for codes it does not know).
    """
    s = _u32(status, "status")
    mapped = _NTSTATUS_TO_WIN32.get(s)
    if mapped is not None:
        return mapped
    return ErrorCode.NO_ERROR if s < 0x80000000 else ErrorCode.ERROR_INVALID_PARAMETER


# The NTSTATUS a Windows kernel (AFD) leaves in OVERLAPPED.Internal for a
# completion that ws2_32 reports as the given Winsock error.  Chosen so that
# ntstatus_to_wsa(wsa_to_ntstatus(e)) == e for every key (tested), using the
# statuses WINDOWS-OBSERVED shows AFD producing where it shows one (W42, W52,
# W79, W83).
_WSA_TO_NTSTATUS: Final[dict[int, int]] = {
    ErrorCode.NO_ERROR: STATUS_SUCCESS,
    ErrorCode.WSA_OPERATION_ABORTED: STATUS_CANCELLED,
    ErrorCode.WSAECONNABORTED: STATUS_CONNECTION_ABORTED,
    ErrorCode.WSAECONNRESET: STATUS_CONNECTION_RESET,
    ErrorCode.WSAEMSGSIZE: STATUS_BUFFER_OVERFLOW,  # W83
    ErrorCode.WSAESHUTDOWN: STATUS_PIPE_DISCONNECTED,  # W52
    ErrorCode.WSAEOPNOTSUPP: STATUS_NOT_SUPPORTED,
    ErrorCode.WSAECONNREFUSED: STATUS_CONNECTION_REFUSED,
    ErrorCode.WSAEWOULDBLOCK: STATUS_DEVICE_NOT_READY,  # W52
    ErrorCode.WSAEFAULT: STATUS_BUFFER_TOO_SMALL,  # W79
    ErrorCode.WSAETIMEDOUT: STATUS_IO_TIMEOUT,
    ErrorCode.WSAENETUNREACH: STATUS_NETWORK_UNREACHABLE,
    ErrorCode.WSAEHOSTUNREACH: STATUS_HOST_UNREACHABLE,
    ErrorCode.WSAENOTCONN: STATUS_INVALID_CONNECTION,
    ErrorCode.WSAEDISCON: STATUS_GRACEFUL_DISCONNECT,
    ErrorCode.WSAEINVAL: STATUS_INVALID_PARAMETER,
    # Inverses of further W42 rows (not shown produced by AFD; chosen for the
    # round trip):
    ErrorCode.WSAENOTSOCK: STATUS_INVALID_HANDLE,
    ErrorCode.WSAEADDRINUSE: STATUS_ADDRESS_ALREADY_EXISTS,
    ErrorCode.WSAEADDRNOTAVAIL: STATUS_INVALID_ADDRESS,
    ErrorCode.WSAENOBUFS: STATUS_INSUFFICIENT_RESOURCES,
    ErrorCode.WSAEACCES: STATUS_ACCESS_DENIED,
    ErrorCode.WSAEINTR: STATUS_REQUEST_ABORTED,
    ErrorCode.WSAEISCONN: STATUS_CONNECTION_ACTIVE,
}


def wsa_to_ntstatus(err: int) -> int:
    """The NTSTATUS (unsigned) a completion with Winsock error ``err`` carries in
    ``OVERLAPPED.Internal``; ``STATUS_INVALID_PARAMETER`` for errors without a
    natural status.  ``ntstatus_to_wsa(wsa_to_ntstatus(e)) == e`` for every
    mapped ``e``."""
    if isinstance(err, bool) or not isinstance(err, int):
        raise TypeError(f"err must be an int (a Winsock error), not {type(err).__name__}")
    return _WSA_TO_NTSTATUS.get(err, STATUS_INVALID_PARAMETER)


def win32_from_wsa(err: int) -> ErrorCode:
    """The Win32 error ``GetQueuedCompletionStatus`` / ``GetOverlappedResult`` /
    ``GetLastError`` report for a failed overlapped operation whose Winsock
    error is ``err``: ``ntstatus_to_win32(wsa_to_ntstatus(err))`` (so
    WSAECONNRESET gives 64 and WSAECONNABORTED 1236, as in W42)."""
    return ntstatus_to_win32(wsa_to_ntstatus(err))


# ---------------------------------------------------------------------------
# The simulator's own exceptions
# ---------------------------------------------------------------------------

_PREFIX: Final = "wsspi_sim: "


class WsspiSimError(Exception):
    """Base class of errors raised by the simulator itself (as opposed to the
    Winsock error codes its API returns).  Messages start with
    ``"wsspi_sim: "``."""

    def __init__(self, message: str) -> None:
        if not message.startswith(_PREFIX):
            message = _PREFIX + message
        super().__init__(message)

    @property
    def message(self) -> str:
        """The full message, prefix included."""
        return str(self.args[0])


def _describe_socket(socket: int | None) -> str:
    if socket is None:
        return "no socket"
    return f"socket {socket} ({socket:#x})" if socket >= 0 else f"socket {socket}"


class SimulationDeadlock(WsspiSimError, RuntimeError):
    """A blocking call could never complete: nothing left in the simulation
    (no other thread, timer or peer) can satisfy it."""

    def __init__(self, call: str, socket: int | None, detail: str = "") -> None:
        self.call = call
        self.socket = socket
        self.detail = detail
        text = f"simulation deadlock: {call} on {_describe_socket(socket)} would block forever"
        if detail:
            text += f": {detail}"
        super().__init__(text)

    def __reduce__(self) -> tuple[type[SimulationDeadlock], tuple[str, int | None, str]]:
        return (type(self), (self.call, self.socket, self.detail))


class NotModelledError(WsspiSimError, NotImplementedError):
    """Raised in strict mode when a caller reaches behaviour the simulator does
    not model, instead of guessing."""

    def __init__(self, feature: str) -> None:
        self.feature = feature
        super().__init__(f"not modelled: {feature} (strict mode does not guess)")

    def __reduce__(self) -> tuple[type[NotModelledError], tuple[str]]:
        return (type(self), (self.feature,))


# Classes, functions and every ErrorCode member (aliases included).
# fmt: off
__all__ = [
    "error_name",
    "ERROR_ACCESS_DENIED", "ERROR_CONNECTION_ABORTED", "ERROR_CONNECTION_ACTIVE",
    "ERROR_CONNECTION_REFUSED", "ERROR_DUP_NAME", "ERROR_GEN_FAILURE",
    "ERROR_GRACEFUL_DISCONNECT", "ERROR_HANDLE_EOF", "ERROR_HOST_UNREACHABLE",
    "ERROR_INSUFFICIENT_BUFFER", "ERROR_INVALID_FUNCTION", "ERROR_INVALID_HANDLE",
    "ERROR_INVALID_PARAMETER", "ERROR_INVALID_USER_BUFFER", "ERROR_IO_INCOMPLETE",
    "ERROR_IO_PENDING", "ERROR_MORE_DATA", "ERROR_NETNAME_DELETED", "ERROR_NETWORK_BUSY",
    "ERROR_NETWORK_UNREACHABLE", "ERROR_NOACCESS", "ERROR_NOT_ENOUGH_MEMORY", "ERROR_NOT_FOUND",
    "ERROR_NOT_READY", "ERROR_NOT_SUPPORTED", "ERROR_NO_SYSTEM_RESOURCES",
    "ERROR_OPERATION_ABORTED", "ERROR_PIPE_NOT_CONNECTED", "ERROR_PORT_UNREACHABLE",
    "ERROR_PROTOCOL_UNREACHABLE", "ERROR_REM_NOT_LIST", "ERROR_REQUEST_ABORTED",
    "ERROR_REQ_NOT_ACCEP", "ERROR_SEM_TIMEOUT", "ERROR_SUCCESS", "ERROR_TIMEOUT",
    "ERROR_UNEXP_NET_ERR", "NO_ERROR", "WSAEACCES", "WSAEADDRINUSE", "WSAEADDRNOTAVAIL",
    "WSAEAFNOSUPPORT", "WSAEALREADY", "WSAEBADF", "WSAECANCELLED", "WSAECONNABORTED",
    "WSAECONNREFUSED", "WSAECONNRESET", "WSAEDESTADDRREQ", "WSAEDISCON", "WSAEDQUOT", "WSAEFAULT",
    "WSAEHOSTDOWN", "WSAEHOSTUNREACH", "WSAEINPROGRESS", "WSAEINTR", "WSAEINVAL",
    "WSAEINVALIDPROCTABLE", "WSAEINVALIDPROVIDER", "WSAEISCONN", "WSAELOOP", "WSAEMFILE",
    "WSAEMSGSIZE", "WSAENAMETOOLONG", "WSAENETDOWN", "WSAENETRESET", "WSAENETUNREACH",
    "WSAENOBUFS", "WSAENOMORE", "WSAENOPROTOOPT", "WSAENOTCONN", "WSAENOTEMPTY", "WSAENOTSOCK",
    "WSAEOPNOTSUPP", "WSAEPFNOSUPPORT", "WSAEPROCLIM", "WSAEPROTONOSUPPORT", "WSAEPROTOTYPE",
    "WSAEPROVIDERFAILEDINIT", "WSAEREFUSED", "WSAEREMOTE", "WSAESHUTDOWN", "WSAESOCKTNOSUPPORT",
    "WSAESTALE", "WSAETIMEDOUT", "WSAETOOMANYREFS", "WSAEUSERS", "WSAEWOULDBLOCK",
    "WSAHOST_NOT_FOUND", "WSANOTINITIALISED", "WSANO_ADDRESS", "WSANO_DATA", "WSANO_RECOVERY",
    "WSASERVICE_NOT_FOUND", "WSASYSCALLFAILURE", "WSASYSNOTREADY", "WSATRY_AGAIN",
    "WSATYPE_NOT_FOUND", "WSAVERNOTSUPPORTED", "WSA_E_CANCELLED", "WSA_E_NO_MORE",
    "WSA_INVALID_HANDLE", "WSA_INVALID_PARAMETER", "WSA_IO_INCOMPLETE", "WSA_IO_PENDING",
    "WSA_NOT_ENOUGH_MEMORY", "WSA_OPERATION_ABORTED", "ErrorCode", "NotModelledError",
    "SimulationDeadlock", "WsspiSimError", "nt_success", "ntstatus_to_win32", "ntstatus_to_wsa",
    "win32_from_wsa", "wsa_to_ntstatus",
]
# fmt: on
