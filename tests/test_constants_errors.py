"""Tests for wsspi_sim.constants and wsspi_sim.errors.

The expected values are written out here by hand from the fact references
(SPI-FACTS sections 1.x / 2.3 / 4.7, WINDOWS-OBSERVED top tables and W42),
independently of the module source; nothing is parsed at run time.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wsspi_sim.constants as C
import wsspi_sim.errors as E
from wsspi_sim.errors import (
    ERROR_IO_PENDING,
    WSA_IO_PENDING,
    WSAENOTSOCK,
    ErrorCode,
    NotModelledError,
    SimulationDeadlock,
    WsspiSimError,
    nt_success,
    ntstatus_to_win32,
    ntstatus_to_wsa,
    win32_from_wsa,
    wsa_to_ntstatus,
)

# ---------------------------------------------------------------------------
# Expected tables
# ---------------------------------------------------------------------------

# SPI-FACTS 1.2: error codes (winsock2.h / winerror.h)
SPI_1_2_ERRORS: dict[str, int] = {
    "WSA_INVALID_HANDLE": 6,
    "WSA_NOT_ENOUGH_MEMORY": 8,
    "WSA_INVALID_PARAMETER": 87,
    "WSA_OPERATION_ABORTED": 995,
    "WSA_IO_INCOMPLETE": 996,
    "WSA_IO_PENDING": 997,
    "WSAEINTR": 10004,
    "WSAEBADF": 10009,
    "WSAEACCES": 10013,
    "WSAEFAULT": 10014,
    "WSAEINVAL": 10022,
    "WSAEMFILE": 10024,
    "WSAEWOULDBLOCK": 10035,
    "WSAEINPROGRESS": 10036,
    "WSAEALREADY": 10037,
    "WSAENOTSOCK": 10038,
    "WSAEDESTADDRREQ": 10039,
    "WSAEMSGSIZE": 10040,
    "WSAEPROTOTYPE": 10041,
    "WSAENOPROTOOPT": 10042,
    "WSAEPROTONOSUPPORT": 10043,
    "WSAESOCKTNOSUPPORT": 10044,
    "WSAEOPNOTSUPP": 10045,
    "WSAEPFNOSUPPORT": 10046,
    "WSAEAFNOSUPPORT": 10047,
    "WSAEADDRINUSE": 10048,
    "WSAEADDRNOTAVAIL": 10049,
    "WSAENETDOWN": 10050,
    "WSAENETUNREACH": 10051,
    "WSAENETRESET": 10052,
    "WSAECONNABORTED": 10053,
    "WSAECONNRESET": 10054,
    "WSAENOBUFS": 10055,
    "WSAEISCONN": 10056,
    "WSAENOTCONN": 10057,
    "WSAESHUTDOWN": 10058,
    "WSAETOOMANYREFS": 10059,
    "WSAETIMEDOUT": 10060,
    "WSAECONNREFUSED": 10061,
    "WSAELOOP": 10062,
    "WSAENAMETOOLONG": 10063,
    "WSAEHOSTDOWN": 10064,
    "WSAEHOSTUNREACH": 10065,
    "WSAENOTEMPTY": 10066,
    "WSAEPROCLIM": 10067,
    "WSAEUSERS": 10068,
    "WSAEDQUOT": 10069,
    "WSAESTALE": 10070,
    "WSAEREMOTE": 10071,
    "WSASYSNOTREADY": 10091,
    "WSAVERNOTSUPPORTED": 10092,
    "WSANOTINITIALISED": 10093,
    "WSAEDISCON": 10101,
    "WSAENOMORE": 10102,
    "WSAECANCELLED": 10103,
    "WSAEINVALIDPROCTABLE": 10104,
    "WSAEINVALIDPROVIDER": 10105,
    "WSAEPROVIDERFAILEDINIT": 10106,
    "WSASYSCALLFAILURE": 10107,
    "WSASERVICE_NOT_FOUND": 10108,
    "WSATYPE_NOT_FOUND": 10109,
    "WSA_E_NO_MORE": 10110,
    "WSA_E_CANCELLED": 10111,
    "WSAEREFUSED": 10112,
    "WSAHOST_NOT_FOUND": 11001,
    "WSATRY_AGAIN": 11002,
    "WSANO_RECOVERY": 11003,
    "WSANO_DATA": 11004,
    "WSANO_ADDRESS": 11004,
}

# SPI-FACTS 1.2: the non-error WSA_* values (wait results, events)
SPI_1_2_CONSTANTS: dict[str, int] = {
    "WSA_INVALID_EVENT": 0,
    "WSA_WAIT_FAILED": 0xFFFFFFFF,
    "WSA_WAIT_EVENT_0": 0,
    "WSA_WAIT_IO_COMPLETION": 0xC0,
    "WSA_WAIT_TIMEOUT": 0x102,
    "WSA_INFINITE": 0xFFFFFFFF,
    "WAIT_OBJECT_0": 0,
    "WAIT_IO_COMPLETION": 0xC0,
    "WAIT_TIMEOUT": 0x102,
    "INFINITE": 0xFFFFFFFF,
}

# SPI-FACTS 1.3: address families, socket types, protocols
SPI_1_3: dict[str, int] = {
    "AF_UNSPEC": 0,
    "AF_UNIX": 1,
    "AF_INET": 2,
    "AF_IMPLINK": 3,
    "AF_PUP": 4,
    "AF_CHAOS": 5,
    "AF_NS": 6,
    "AF_IPX": 6,
    "AF_ISO": 7,
    "AF_OSI": 7,
    "AF_ECMA": 8,
    "AF_DATAKIT": 9,
    "AF_CCITT": 10,
    "AF_SNA": 11,
    "AF_DECnet": 12,
    "AF_DLI": 13,
    "AF_LAT": 14,
    "AF_HYLINK": 15,
    "AF_APPLETALK": 16,
    "AF_NETBIOS": 17,
    "AF_VOICEVIEW": 18,
    "AF_FIREFOX": 19,
    "AF_UNKNOWN1": 20,
    "AF_BAN": 21,
    "AF_ATM": 22,
    "AF_INET6": 23,
    "AF_CLUSTER": 24,
    "AF_12844": 25,
    "AF_IRDA": 26,
    "AF_NETDES": 28,
    "AF_TCNPROCESS": 29,
    "AF_TCNMESSAGE": 30,
    "AF_ICLFXBM": 31,
    "AF_BTH": 32,
    "AF_LINK": 33,
    "AF_MAX": 34,
    "PF_INET": 2,
    "PF_INET6": 23,
    "PF_UNSPEC": 0,
    "SOCK_STREAM": 1,
    "SOCK_DGRAM": 2,
    "SOCK_RAW": 3,
    "SOCK_RDM": 4,
    "SOCK_SEQPACKET": 5,
    "IPPROTO_IP": 0,
    "IPPROTO_HOPOPTS": 0,
    "IPPROTO_ICMP": 1,
    "IPPROTO_IGMP": 2,
    "IPPROTO_GGP": 3,
    "IPPROTO_IPV4": 4,
    "IPPROTO_ST": 5,
    "IPPROTO_TCP": 6,
    "IPPROTO_CBT": 7,
    "IPPROTO_EGP": 8,
    "IPPROTO_IGP": 9,
    "IPPROTO_PUP": 12,
    "IPPROTO_UDP": 17,
    "IPPROTO_IDP": 22,
    "IPPROTO_RDP": 27,
    "IPPROTO_IPV6": 41,
    "IPPROTO_ROUTING": 43,
    "IPPROTO_FRAGMENT": 44,
    "IPPROTO_ESP": 50,
    "IPPROTO_AH": 51,
    "IPPROTO_ICMPV6": 58,
    "IPPROTO_NONE": 59,
    "IPPROTO_DSTOPTS": 60,
    "IPPROTO_ND": 77,
    "IPPROTO_ICLFXBM": 78,
    "IPPROTO_PIM": 103,
    "IPPROTO_PGM": 113,
    "IPPROTO_L2TP": 115,
    "IPPROTO_SCTP": 132,
    "IPPROTO_RAW": 255,
    "IPPROTO_MAX": 256,
    "IPPROTO_RESERVED_RAW": 257,
    "IPPROTO_RESERVED_IPSEC": 258,
    "IPPROTO_RESERVED_IPSECOFFLOAD": 259,
    "IPPROTO_RESERVED_MAX": 260,
}

# SPI-FACTS 1.5: FD_* bits and masks
SPI_1_5: dict[str, int] = {
    "FD_READ_BIT": 0,
    "FD_WRITE_BIT": 1,
    "FD_OOB_BIT": 2,
    "FD_ACCEPT_BIT": 3,
    "FD_CONNECT_BIT": 4,
    "FD_CLOSE_BIT": 5,
    "FD_QOS_BIT": 6,
    "FD_GROUP_QOS_BIT": 7,
    "FD_ROUTING_INTERFACE_CHANGE_BIT": 8,
    "FD_ADDRESS_LIST_CHANGE_BIT": 9,
    "FD_MAX_EVENTS": 10,
    "FD_READ": 0x001,
    "FD_WRITE": 0x002,
    "FD_OOB": 0x004,
    "FD_ACCEPT": 0x008,
    "FD_CONNECT": 0x010,
    "FD_CLOSE": 0x020,
    "FD_QOS": 0x040,
    "FD_GROUP_QOS": 0x080,
    "FD_ROUTING_INTERFACE_CHANGE": 0x100,
    "FD_ADDRESS_LIST_CHANGE": 0x200,
    "FD_ALL_EVENTS": 0x3FF,
}

# SPI-FACTS 1.6: WSASocket dwFlags
SPI_1_6: dict[str, int] = {
    "WSA_FLAG_OVERLAPPED": 0x01,
    "WSA_FLAG_MULTIPOINT_C_ROOT": 0x02,
    "WSA_FLAG_MULTIPOINT_C_LEAF": 0x04,
    "WSA_FLAG_MULTIPOINT_D_ROOT": 0x08,
    "WSA_FLAG_MULTIPOINT_D_LEAF": 0x10,
    "WSA_FLAG_ACCESS_SYSTEM_SECURITY": 0x40,
    "WSA_FLAG_NO_HANDLE_INHERIT": 0x80,
    "WSA_FLAG_REGISTERED_IO": 0x100,
}

# SPI-FACTS 1.8: socket options
SPI_1_8: dict[str, int] = {
    "SOL_SOCKET": 0xFFFF,
    "SO_DEBUG": 0x0001,
    "SO_ACCEPTCONN": 0x0002,
    "SO_REUSEADDR": 0x0004,
    "SO_KEEPALIVE": 0x0008,
    "SO_DONTROUTE": 0x0010,
    "SO_BROADCAST": 0x0020,
    "SO_USELOOPBACK": 0x0040,
    "SO_LINGER": 0x0080,
    "SO_OOBINLINE": 0x0100,
    "SO_DONTLINGER": -129,
    "SO_EXCLUSIVEADDRUSE": -5,
    "SO_SNDBUF": 0x1001,
    "SO_RCVBUF": 0x1002,
    "SO_SNDLOWAT": 0x1003,
    "SO_RCVLOWAT": 0x1004,
    "SO_SNDTIMEO": 0x1005,
    "SO_RCVTIMEO": 0x1006,
    "SO_ERROR": 0x1007,
    "SO_TYPE": 0x1008,
    "SO_BSP_STATE": 0x1009,
    "SO_GROUP_ID": 0x2001,
    "SO_GROUP_PRIORITY": 0x2002,
    "SO_MAX_MSG_SIZE": 0x2003,
    "SO_PROTOCOL_INFOA": 0x2004,
    "SO_PROTOCOL_INFOW": 0x2005,
    "PVD_CONFIG": 0x3001,
    "SO_CONDITIONAL_ACCEPT": 0x3002,
    "SO_PAUSE_ACCEPT": 0x3003,
    "SO_COMPARTMENT_ID": 0x3004,
    "SO_RANDOMIZE_PORT": 0x3005,
    "SO_PORT_SCALABILITY": 0x3006,
    "SO_CONNDATA": 0x7000,
    "SO_CONNOPT": 0x7001,
    "SO_DISCDATA": 0x7002,
    "SO_DISCOPT": 0x7003,
    "SO_CONNDATALEN": 0x7004,
    "SO_CONNOPTLEN": 0x7005,
    "SO_DISCDATALEN": 0x7006,
    "SO_DISCOPTLEN": 0x7007,
    "SO_OPENTYPE": 0x7008,
    "SO_SYNCHRONOUS_ALERT": 0x10,
    "SO_SYNCHRONOUS_NONALERT": 0x20,
    "SO_MAXDG": 0x7009,
    "SO_MAXPATHDG": 0x700A,
    "SO_UPDATE_ACCEPT_CONTEXT": 0x700B,
    "SO_CONNECT_TIME": 0x700C,
    "SO_UPDATE_CONNECT_CONTEXT": 0x7010,
    "TCP_NODELAY": 0x0001,
}

# SPI-FACTS 1.9: IOCTL composition and codes (hex values as listed there, and
# computed by hand from the macro definitions for the listed ordinals)
SPI_1_9: dict[str, int] = {
    "IOCPARM_MASK": 0x7F,
    "IOC_VOID": 0x20000000,
    "IOC_OUT": 0x40000000,
    "IOC_IN": 0x80000000,
    "IOC_INOUT": 0xC0000000,
    "IOC_UNIX": 0x00000000,
    "IOC_WS2": 0x08000000,
    "IOC_PROTOCOL": 0x10000000,
    "IOC_VENDOR": 0x18000000,
    "IOC_WSK": 0x0F000000,
    "FIONBIO": 0x8004667E,
    "FIONREAD": 0x4004667F,
    "FIOASYNC": 0x8004667D,
    "SIOCATMARK": 0x40047307,
    "SIO_ASSOCIATE_HANDLE": 0x88000001,
    "SIO_ENABLE_CIRCULAR_QUEUEING": 0x28000002,
    "SIO_FIND_ROUTE": 0x48000003,
    "SIO_FLUSH": 0x28000004,
    "SIO_GET_BROADCAST_ADDRESS": 0x48000005,
    "SIO_GET_EXTENSION_FUNCTION_POINTER": 0xC8000006,
    "SIO_GET_QOS": 0xC8000007,
    "SIO_GET_GROUP_QOS": 0xC8000008,
    "SIO_MULTIPOINT_LOOPBACK": 0x88000009,
    "SIO_MULTICAST_SCOPE": 0x8800000A,
    "SIO_SET_QOS": 0x8800000B,
    "SIO_SET_GROUP_QOS": 0x8800000C,
    "SIO_TRANSLATE_HANDLE": 0xC800000D,
    "SIO_ROUTING_INTERFACE_QUERY": 0xC8000014,
    "SIO_ROUTING_INTERFACE_CHANGE": 0x88000015,
    "SIO_ADDRESS_LIST_QUERY": 0x48000016,
    "SIO_ADDRESS_LIST_CHANGE": 0x28000017,
    "SIO_QUERY_TARGET_PNP_HANDLE": 0x48000018,
    "SIO_ADDRESS_LIST_SORT": 0xC8000019,
    "SIO_RCVALL": 0x98000001,
    "SIO_RCVALL_MCAST": 0x98000002,
    "SIO_RCVALL_IGMPMCAST": 0x98000003,
    "SIO_KEEPALIVE_VALS": 0x98000004,
    "SIO_ABSORB_RTRALERT": 0x98000005,
    "SIO_UCAST_IF": 0x98000006,
    "SIO_LIMIT_BROADCASTS": 0x98000007,
    "SIO_INDEX_BIND": 0x98000008,
    "SIO_INDEX_MCASTIF": 0x98000009,
    "SIO_INDEX_ADD_MCAST": 0x9800000A,
    "SIO_INDEX_DEL_MCAST": 0x9800000B,
    "SIO_RCVALL_MCAST_IF": 0x9800000D,
    "SIO_RCVALL_IF": 0x9800000E,
    "SIO_LOOPBACK_FAST_PATH": 0x98000010,
    "SIO_TCP_INITIAL_RTO": 0x98000011,
    "SIO_APPLY_TRANSPORT_SETTING": 0x98000013,
    "SIO_QUERY_TRANSPORT_SETTING": 0x98000014,
    "SIO_CPU_AFFINITY": 0x98000015,
    "SIO_TCP_SET_ICW": 0x98000016,
    "SIO_TCP_SET_ACK_FREQUENCY": 0x98000017,
    "SIO_SET_PRIORITY_HINT": 0x98000018,
    "SIO_TCP_INFO": 0xD8000027,
    "SIO_ACQUIRE_PORT_RESERVATION": 0x98000064,
    "SIO_RELEASE_PORT_RESERVATION": 0x98000065,
    "SIO_ASSOCIATE_PORT_RESERVATION": 0x98000066,
    "SIO_SET_SECURITY": 0x980000C8,
    "SIO_QUERY_SECURITY": 0xD80000C9,
    "SIO_SET_PEER_TARGET_NAME": 0x980000CA,
    "SIO_DELETE_PEER_TARGET_NAME": 0x980000CB,
    "SIO_SOCKET_USAGE_NOTIFICATION": 0x980000CC,
    "SIO_QUERY_WFP_ALE_ENDPOINT_HANDLE": 0x580000CD,
    "SIO_QUERY_RSS_SCALABILITY_INFO": 0x580000D2,
    "SIO_QUERY_WFP_CONNECTION_REDIRECT_RECORDS": 0x980000DC,
    "SIO_QUERY_WFP_CONNECTION_REDIRECT_CONTEXT": 0x980000DD,
    "SIO_SET_WFP_CONNECTION_REDIRECT_RECORDS": 0x980000DE,
    "SIO_GET_TX_TIMESTAMP": 0x980000EA,
    "SIO_TIMESTAMPING": 0x980000EB,
}

# SPI-FACTS 1.1, 1.4, 1.7 and 2.3
SPI_OTHER: dict[str, int] = {
    "SOCKET_ERROR": -1,
    "INVALID_SOCKET": 0xFFFFFFFFFFFFFFFF,
    "FROM_PROTOCOL_INFO": -1,
    "WSS_OPERATION_IN_PROGRESS": 0x103,
    "WSPDESCRIPTION_LEN": 255,
    "WSAPROTOCOL_LEN": 255,
    "MAX_PROTOCOL_CHAIN": 7,
    "BASE_PROTOCOL": 1,
    "LAYERED_PROTOCOL": 0,
    "FD_SETSIZE": 64,
    "SOMAXCONN": 0x7FFFFFFF,
    "WSADESCRIPTION_LEN": 256,
    "WSASYS_STATUS_LEN": 128,
    "SD_RECEIVE": 0,
    "SD_SEND": 1,
    "SD_BOTH": 2,
    "CF_ACCEPT": 0,
    "CF_REJECT": 1,
    "CF_DEFER": 2,
    "SG_UNCONSTRAINED_GROUP": 1,
    "SG_CONSTRAINED_GROUP": 2,
    "MSG_OOB": 1,
    "MSG_PEEK": 2,
    "MSG_DONTROUTE": 4,
    "MSG_WAITALL": 8,
    "MSG_INTERRUPT": 0x10,
    "MSG_PARTIAL": 0x8000,
    "MSG_TRUNC": 0x100,
    "MSG_CTRUNC": 0x200,
    "MSG_BCAST": 0x400,
    "MSG_MCAST": 0x800,
    "MSG_MAXIOVLEN": 16,
    "JL_SENDER_ONLY": 1,
    "JL_RECEIVER_ONLY": 2,
    "JL_BOTH": 4,
    "XP1_CONNECTIONLESS": 0x00000001,
    "XP1_GUARANTEED_DELIVERY": 0x00000002,
    "XP1_GUARANTEED_ORDER": 0x00000004,
    "XP1_MESSAGE_ORIENTED": 0x00000008,
    "XP1_PSEUDO_STREAM": 0x00000010,
    "XP1_GRACEFUL_CLOSE": 0x00000020,
    "XP1_EXPEDITED_DATA": 0x00000040,
    "XP1_CONNECT_DATA": 0x00000080,
    "XP1_DISCONNECT_DATA": 0x00000100,
    "XP1_SUPPORT_BROADCAST": 0x00000200,
    "XP1_SUPPORT_MULTIPOINT": 0x00000400,
    "XP1_MULTIPOINT_CONTROL_PLANE": 0x00000800,
    "XP1_MULTIPOINT_DATA_PLANE": 0x00001000,
    "XP1_QOS_SUPPORTED": 0x00002000,
    "XP1_INTERRUPT": 0x00004000,
    "XP1_UNI_SEND": 0x00008000,
    "XP1_UNI_RECV": 0x00010000,
    "XP1_IFS_HANDLES": 0x00020000,
    "XP1_PARTIAL_MESSAGE": 0x00040000,
    "XP1_SAN_SUPPORT_SDP": 0x00080000,
    "PFL_MULTIPLE_PROTO_ENTRIES": 0x1,
    "PFL_RECOMMENDED_PROTO_ENTRY": 0x2,
    "PFL_HIDDEN": 0x4,
    "PFL_MATCHES_PROTOCOL_ZERO": 0x8,
    "PFL_NETWORKDIRECT_PROVIDER": 0x10,
    "BIGENDIAN": 0,
    "LITTLEENDIAN": 1,
    "SECURITY_PROTOCOL_NONE": 0,
    "SOCKET_SECURITY_PROTOCOL_DEFAULT": 0,
    "SOCKET_SECURITY_PROTOCOL_IPSEC": 1,
    "SOCKET_SECURITY_PROTOCOL_IPSEC2": 2,
    "SOCKET_SECURITY_PROTOCOL_INVALID": 3,
    "SOCKET_SETTINGS_GUARANTEE_ENCRYPTION": 0x1,
    "SOCKET_SETTINGS_ALLOW_INSECURE": 0x2,
    "SOCKET_SETTINGS_IPSEC_SKIP_FILTER_INSTANTIATION": 0x1,
    "SOCKET_SETTINGS_IPSEC_OPTIONAL_PEER_NAME_VERIFICATION": 0x2,
    "SOCKET_SETTINGS_IPSEC_ALLOW_FIRST_INBOUND_PKT_UNENCRYPTED": 0x4,
    "SOCKET_SETTINGS_IPSEC_PEER_NAME_IS_RAW_FORMAT": 0x8,
    "SOCKET_INFO_CONNECTION_SECURED": 0x1,
    "SOCKET_INFO_CONNECTION_ENCRYPTED": 0x2,
    "SOCKET_INFO_CONNECTION_IMPERSONATED": 0x4,
    "SOCKET_QUERY_IPSEC2_ABORT_CONNECTION_ON_FIELD_CHANGE": 0x1,
    "SOCKET_QUERY_IPSEC2_FIELD_MASK_MM_SA_ID": 0x1,
    "SOCKET_QUERY_IPSEC2_FIELD_MASK_QM_SA_ID": 0x2,
    "SYSTEM_CRITICAL_SOCKET": 1,
}

# WINDOWS-OBSERVED top tables: NTSTATUS and Win32 values
OBSERVED_NUMBERS: dict[str, int] = {
    "STATUS_PENDING": 0x00000103,
    "STATUS_BUFFER_OVERFLOW": 0x80000005,
    "STATUS_CANCELLED": 0xC0000120,
    "STATUS_CONNECTION_ABORTED": 0xC0000241,
    "STATUS_CONNECTION_RESET": 0xC000020D,
    "STATUS_LOCAL_DISCONNECT": 0xC000013B,
    "STATUS_PIPE_DISCONNECTED": 0xC00000B0,
    "STATUS_NOT_SUPPORTED": 0xC00000BB,
    "STATUS_BUFFER_TOO_SMALL": 0xC0000023,
    "STATUS_DEVICE_NOT_READY": 0xC00000A3,
    "STATUS_CONNECTION_REFUSED": 0xC0000236,
    "STATUS_INVALID_PARAMETER": 0xC000000D,
    "ERROR_NETNAME_DELETED": 64,
    "ERROR_NOT_SUPPORTED": 50,
    "ERROR_INVALID_PARAMETER": 87,
    "ERROR_INSUFFICIENT_BUFFER": 122,
    "ERROR_OPERATION_ABORTED": 995,
    "ERROR_IO_INCOMPLETE": 996,
    "ERROR_IO_PENDING": 997,
    "ERROR_NOT_FOUND": 1168,
    "ERROR_CONNECTION_REFUSED": 1225,
    "ERROR_CONNECTION_ABORTED": 1236,
}

CONSTANT_TABLES: list[tuple[str, dict[str, int]]] = [
    ("SPI-FACTS 1.2", SPI_1_2_CONSTANTS),
    ("SPI-FACTS 1.3", SPI_1_3),
    ("SPI-FACTS 1.5", SPI_1_5),
    ("SPI-FACTS 1.6", SPI_1_6),
    ("SPI-FACTS 1.8", SPI_1_8),
    ("SPI-FACTS 1.9", SPI_1_9),
    ("SPI-FACTS 1.1/1.4/1.7/2.3", SPI_OTHER),
    ("WINDOWS-OBSERVED top tables", OBSERVED_NUMBERS),
]
CONSTANT_CASES = [
    pytest.param(name, value, id=f"{name}")
    for _, table in CONSTANT_TABLES
    for name, value in table.items()
]

# WINDOWS-OBSERVED W42: NTSTATUS -> WSAGetOverlappedResult error (the numbers
# of the statuses not in the top table are from ntstatus.h).
W42_ROWS: dict[int, int] = {
    0x00000103: 996,  # STATUS_PENDING -> ERROR_IO_INCOMPLETE
    0xC0000120: 995,  # STATUS_CANCELLED -> ERROR_OPERATION_ABORTED
    0xC0000241: 10053,  # STATUS_CONNECTION_ABORTED
    0xC000013B: 10053,  # STATUS_LOCAL_DISCONNECT
    0xC000020F: 10053,  # STATUS_TRANSACTION_ABORTED
    0xC000020D: 10054,  # STATUS_CONNECTION_RESET
    0xC000013C: 10054,  # STATUS_REMOTE_DISCONNECT
    0xC000020C: 10054,  # STATUS_CONNECTION_DISCONNECTED
    0xC000013E: 10054,  # STATUS_LINK_FAILED
    0xC000023F: 10054,  # STATUS_PORT_UNREACHABLE
    0xC00000B0: 10058,  # STATUS_PIPE_DISCONNECTED -> WSAESHUTDOWN
    0x80000005: 10040,  # STATUS_BUFFER_OVERFLOW -> WSAEMSGSIZE
    0xC0000206: 10040,  # STATUS_INVALID_BUFFER_SIZE
    0xC0000008: 10038,  # STATUS_INVALID_HANDLE -> WSAENOTSOCK
    0xC0000024: 10038,  # STATUS_OBJECT_TYPE_MISMATCH
    0xC0000140: 10057,  # STATUS_INVALID_CONNECTION -> WSAENOTCONN
    0xC00000A3: 10035,  # STATUS_DEVICE_NOT_READY -> WSAEWOULDBLOCK
    0xC00000D0: 10035,  # STATUS_REQUEST_NOT_ACCEPTED
    0xC0000023: 10014,  # STATUS_BUFFER_TOO_SMALL -> WSAEFAULT
    0xC0000005: 10014,  # STATUS_ACCESS_VIOLATION
    0xC00000BB: 10045,  # STATUS_NOT_SUPPORTED -> WSAEOPNOTSUPP
    0xC0000002: 10045,  # STATUS_NOT_IMPLEMENTED
    0xC0000236: 10061,  # STATUS_CONNECTION_REFUSED
    0xC00000BC: 10061,  # STATUS_REMOTE_NOT_LISTENING
    0xC0000237: 10101,  # STATUS_GRACEFUL_DISCONNECT -> WSAEDISCON
    0xC00000B5: 10060,  # STATUS_IO_TIMEOUT -> WSAETIMEDOUT
    0xC0000240: 10004,  # STATUS_REQUEST_ABORTED -> WSAEINTR
    0xC000023B: 10056,  # STATUS_CONNECTION_ACTIVE -> WSAEISCONN
    0xC000000D: 10022,  # any other failure (here STATUS_INVALID_PARAMETER) -> WSAEINVAL
    0xC0000001: 10022,  # STATUS_UNSUCCESSFUL: "any other failure"
    0xC0000225: 10022,  # STATUS_NOT_FOUND: "any other failure"
    0x00000000: 0,  # success
}

# The wsa_to_ntstatus table the brief asks for (statuses from ntstatus.h)
WSA_TO_NT: dict[int, int] = {
    0: 0x00000000,
    995: 0xC0000120,
    10053: 0xC0000241,
    10054: 0xC000020D,
    10040: 0x80000005,
    10058: 0xC00000B0,
    10045: 0xC00000BB,
    10061: 0xC0000236,
    10035: 0xC00000A3,
    10014: 0xC0000023,
    10060: 0xC00000B5,
    10051: 0xC000023C,
    10065: 0xC000023D,
    10057: 0xC0000140,
    10101: 0xC0000237,
}


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def test_tables_are_large_enough() -> None:
    """The brief asks for >= 150 names checked from SPI-FACTS 1.2/1.3/1.5/1.6/1.8/1.9."""
    spi_names = (
        set(SPI_1_2_ERRORS)
        | set(SPI_1_2_CONSTANTS)
        | set(SPI_1_3)
        | set(SPI_1_5)
        | set(SPI_1_6)
        | set(SPI_1_8)
        | set(SPI_1_9)
    )
    assert len(spi_names) >= 150


@pytest.mark.parametrize(("name", "value"), CONSTANT_CASES)
def test_constant_value(name: str, value: int) -> None:
    """SPI-FACTS 1.1-1.9 and 2.3, WINDOWS-OBSERVED top tables: name and value as on Windows."""
    assert hasattr(C, name), f"constants.{name} missing"
    got = getattr(C, name)
    assert type(got) is int
    assert got == value, f"{name} = {got:#x}, expected {value:#x}"


@pytest.mark.parametrize(("name", "value"), list(SPI_1_2_ERRORS.items()))
def test_error_code_value(name: str, value: int) -> None:
    """SPI-FACTS 1.2: every error code is an ErrorCode member and a module name."""
    member = ErrorCode[name]
    assert member == value
    assert getattr(E, name) is member
    assert name in E.__all__


def test_pf_equals_af() -> None:
    """SPI-FACTS 1.3: PF_* equal the matching AF_*, and every AF_* has its PF_*."""
    af_names = [n for n in C.__all__ if n.startswith("AF_")]
    assert len(af_names) >= 36
    for af in af_names:
        pf = "PF_" + af[3:]
        assert getattr(C, pf) == getattr(C, af), pf


def test_fd_masks_are_bits() -> None:
    """SPI-FACTS 1.5: each FD_x mask is 1 << FD_x_BIT and FD_ALL_EVENTS is their union."""
    union = 0
    for name in C.__all__:
        if name.startswith("FD_") and name.endswith("_BIT"):
            mask = getattr(C, name[: -len("_BIT")])
            assert mask == 1 << getattr(C, name)
            union |= mask
    assert union == C.FD_ALL_EVENTS == (1 << C.FD_MAX_EVENTS) - 1


def test_ioctl_signed_views() -> None:
    """SPI-FACTS 1.9: the signed 32-bit views of the IOCTLs match the table."""

    def signed(v: int) -> int:
        return v - (1 << 32) if v & 0x80000000 else v

    assert signed(C.FIONBIO) == -2147195266
    assert signed(C.FIONREAD) == 1074030207
    assert signed(C.SIOCATMARK) == 1074033415
    assert signed(C.SIO_SET_PEER_TARGET_NAME) == -1744830262
    assert signed(C.SIO_DELETE_PEER_TARGET_NAME) == -1744830261
    # windows-sys cross-check numbers quoted in 1.9
    assert C.SIO_SET_PEER_TARGET_NAME == 2550137034
    assert C.SIO_DELETE_PEER_TARGET_NAME == 2550137035
    assert C.SIO_QUERY_SECURITY == 3623878857


def test_ioctls_are_unsigned_32_bit() -> None:
    """SPI-FACTS 1.9: every SIO*/FIO* code is an unsigned 32-bit value."""
    codes = [n for n in C.__all__ if n.startswith(("SIO", "FIO"))]
    assert len(codes) >= 60
    for name in codes:
        assert 0 <= getattr(C, name) <= 0xFFFFFFFF, name


def test_no_peer_target_name_query_ioctl() -> None:
    """SPI-FACTS 1.9: SIO_QUERY_PEER_TARGET_NAME does not exist in Windows headers."""
    assert not hasattr(C, "SIO_QUERY_PEER_TARGET_NAME")


def test_constants_all_is_complete() -> None:
    """constants.__all__ lists exactly the public module-level names, without
    duplicates (ints, and the extension-function GUIDs as bytes)."""
    public = {
        n
        for n, v in vars(C).items()
        if not n.startswith("_") and isinstance(v, (int, bytes)) and n != "annotations"
    }
    assert len(C.__all__) == len(set(C.__all__))
    assert set(C.__all__) == public


def test_no_error_codes_in_constants() -> None:
    """Brief: WSAE*/WSA_* error codes live in errors.py, not in constants.py."""
    for name in C.__all__:
        if name in ErrorCode.__members__ and not name.startswith("ERROR_"):
            pytest.fail(f"error code {name} defined in constants")
    assert not any(n.startswith("WSAE") for n in C.__all__)


def test_win32_constants_agree_with_errorcode() -> None:
    """WINDOWS-OBSERVED top table: the plain-int ERROR_* in constants equal the ErrorCode members."""
    for name in C.__all__:
        if name.startswith("ERROR_") and name in ErrorCode.__members__:
            assert getattr(C, name) == ErrorCode[name], name


# ---------------------------------------------------------------------------
# ErrorCode behaviour
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            ErrorCode.WSAENOTSOCK,
            "WSAENOTSOCK (10038): An operation was attempted on something that is not a socket.",
        ),
        (
            ErrorCode.WSAECONNRESET,
            "WSAECONNRESET (10054): An existing connection was forcibly closed by the remote host.",
        ),
        (
            ErrorCode.WSAEWOULDBLOCK,
            (
                "WSAEWOULDBLOCK (10035): A non-blocking socket operation could not be "
                "completed immediately."
            ),
        ),
        (
            ErrorCode.WSA_IO_PENDING,
            "WSA_IO_PENDING (997): Overlapped I/O operation is in progress.",
        ),
        (
            ErrorCode.WSANOTINITIALISED,
            (
                "WSANOTINITIALISED (10093): Either the application has not called "
                "WSAStartup, or WSAStartup failed."
            ),
        ),
        (ErrorCode.NO_ERROR, "NO_ERROR (0): The operation completed successfully."),
        (
            ErrorCode.ERROR_NETNAME_DELETED,
            "ERROR_NETNAME_DELETED (64): The specified network name is no longer available.",
        ),
    ],
)
def test_str_format(code: ErrorCode, text: str) -> None:
    """Brief + winerror.h MessageText: str() is 'NAME (number): system message'."""
    assert str(code) == text
    assert f"{code!s}" == text


def test_format_is_numeric() -> None:
    """format()/f-strings behave like int on every Python version (errors module doc)."""
    assert f"{WSAENOTSOCK}" == "10038"
    assert f"{WSAENOTSOCK:#x}" == "0x2736"
    assert format(WSAENOTSOCK, "d") == "10038"
    assert repr(WSAENOTSOCK) == "<ErrorCode.WSAENOTSOCK: 10038>"


def test_every_code_has_a_message() -> None:
    """Every ErrorCode value has a non-empty, sentence-shaped system message."""
    for member in ErrorCode:
        msg = member.message
        assert msg and msg[0].isupper() and msg.endswith("."), member.name
        assert "  " not in msg


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("ERROR_INVALID_HANDLE", "WSA_INVALID_HANDLE"),
        ("ERROR_NOT_ENOUGH_MEMORY", "WSA_NOT_ENOUGH_MEMORY"),
        ("ERROR_INVALID_PARAMETER", "WSA_INVALID_PARAMETER"),
        ("ERROR_OPERATION_ABORTED", "WSA_OPERATION_ABORTED"),
        ("ERROR_IO_INCOMPLETE", "WSA_IO_INCOMPLETE"),
        ("ERROR_IO_PENDING", "WSA_IO_PENDING"),
        ("WSANO_ADDRESS", "WSANO_DATA"),
        ("ERROR_SUCCESS", "NO_ERROR"),
    ],
)
def test_aliases(alias: str, canonical: str) -> None:
    """SPI-FACTS 1.2: the Win32 names (and WSANO_ADDRESS) are aliases of the WSA names."""
    assert ErrorCode[alias] is ErrorCode[canonical]
    assert ErrorCode[alias].name == canonical
    assert getattr(E, alias) is getattr(E, canonical)
    assert alias in E.__all__


def test_alias_str_uses_canonical_name() -> None:
    """SPI-FACTS 1.2: str() of an alias reports the canonical WSA name."""
    # mypy sees aliases as distinct literals, so compare through ErrorCode lookups
    assert ErrorCode(int(ERROR_IO_PENDING)) is ErrorCode(int(WSA_IO_PENDING))
    assert str(ERROR_IO_PENDING).startswith("WSA_IO_PENDING (997): ")


def test_win32_only_codes() -> None:
    """WINDOWS-OBSERVED top table, W42, W43: Win32 codes that are not Winsock aliases."""
    expected = {
        "ERROR_NOT_SUPPORTED": 50,
        "ERROR_NETNAME_DELETED": 64,
        "ERROR_SEM_TIMEOUT": 121,
        "ERROR_INSUFFICIENT_BUFFER": 122,
        "ERROR_PIPE_NOT_CONNECTED": 233,
        "ERROR_MORE_DATA": 234,
        "ERROR_NOT_FOUND": 1168,
        "ERROR_CONNECTION_REFUSED": 1225,
        "ERROR_NETWORK_UNREACHABLE": 1231,
        "ERROR_HOST_UNREACHABLE": 1232,
        "ERROR_PORT_UNREACHABLE": 1234,
        "ERROR_CONNECTION_ABORTED": 1236,
    }
    for name, value in expected.items():
        assert ErrorCode[name] == value
        assert ErrorCode[name].name == name  # canonical, not an alias


def test_every_member_is_a_module_name() -> None:
    """Brief: every member (aliases included) is importable from wsspi_sim.errors."""
    for name, member in ErrorCode.__members__.items():
        assert getattr(E, name) is member, name
        assert name in E.__all__, name
    for name in E.__all__:
        assert hasattr(E, name), name
    assert len(E.__all__) == len(set(E.__all__))


def test_module_names_declared_in_source() -> None:
    """Brief: the module-level names are written out (mypy must see them), not made by globals()."""
    source = Path(E.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    declared = {
        node.target.id
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    assert set(ErrorCode.__members__) <= declared
    assert "globals()" not in source


# ---------------------------------------------------------------------------
# lookup
# ---------------------------------------------------------------------------


def test_lookup_by_number_and_name() -> None:
    """Brief: ErrorCode.lookup accepts numbers and names (aliases resolve to canonical)."""
    assert ErrorCode.lookup(10038) is ErrorCode.WSAENOTSOCK
    assert ErrorCode.lookup("WSAENOTSOCK") is ErrorCode.WSAENOTSOCK
    assert ErrorCode.lookup("wsaenotsock") is ErrorCode.WSAENOTSOCK
    assert ErrorCode.lookup("ERROR_IO_PENDING") is ErrorCode.WSA_IO_PENDING
    assert ErrorCode.lookup(997) is ErrorCode.WSA_IO_PENDING
    assert ErrorCode.lookup(ErrorCode.WSAEINVAL) is ErrorCode.WSAEINVAL


@pytest.mark.parametrize("bad", [12345, -1, 10000, 11005, "WSAEBOGUS", "", "10038"])
def test_lookup_unknown_raises_value_error(bad: int | str) -> None:
    """Brief: lookup raises ValueError naming the parameter for unknown input."""
    with pytest.raises(ValueError, match=r"lookup\(x\): x="):
        ErrorCode.lookup(bad)


@pytest.mark.parametrize("bad", [True, 1.5, None, b"WSAEINVAL"])
def test_lookup_wrong_type_raises_type_error(bad: object) -> None:
    """Brief: wrong argument types raise TypeError naming the parameter."""
    with pytest.raises(TypeError, match=r"lookup\(x\): x must be"):
        ErrorCode.lookup(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# NTSTATUS mapping
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "err"), list(W42_ROWS.items()))
def test_ntstatus_to_wsa_w42(status: int, err: int) -> None:
    """WINDOWS-OBSERVED W42: the WSAGetOverlappedResult error for each status."""
    assert ntstatus_to_wsa(status) == err
    assert isinstance(ntstatus_to_wsa(status), ErrorCode)


def test_ntstatus_to_wsa_signed_input() -> None:
    """W42: NTSTATUS given as a signed 32-bit int maps like the unsigned form."""
    assert ntstatus_to_wsa(-1073741536) == ErrorCode.WSA_OPERATION_ABORTED  # 0xC0000120
    assert ntstatus_to_wsa(0xC0000120 - (1 << 32)) == 995


def test_ntstatus_success_statuses() -> None:
    """W42: success/informational statuses other than STATUS_PENDING report no error."""
    assert ntstatus_to_wsa(C.STATUS_SUCCESS) == 0
    assert ntstatus_to_wsa(C.STATUS_TIMEOUT) == 0
    assert ntstatus_to_wsa(0x40000000) == 0
    assert ntstatus_to_wsa(C.STATUS_PENDING) == ErrorCode.WSA_IO_INCOMPLETE
    assert nt_success(0) and nt_success(0x103) and nt_success(0x7FFFFFFF)
    assert not nt_success(0x80000005) and not nt_success(0xC0000120)


def test_other_warnings_are_failures() -> None:
    """W42: warnings other than STATUS_BUFFER_OVERFLOW are 'any other failure' -> WSAEINVAL."""
    assert ntstatus_to_wsa(0x80000006) == ErrorCode.WSAEINVAL
    assert ntstatus_to_wsa(0x80000005) == ErrorCode.WSAEMSGSIZE


@pytest.mark.parametrize(("err", "status"), list(WSA_TO_NT.items()))
def test_wsa_to_ntstatus_table(err: int, status: int) -> None:
    """Brief (W42/W52/W79/W83): the NTSTATUS stored for a completion with each error."""
    assert wsa_to_ntstatus(err) == status


@pytest.mark.parametrize("err", sorted(E._WSA_TO_NTSTATUS))
def test_round_trip(err: int) -> None:
    """Brief: ntstatus_to_wsa(wsa_to_ntstatus(e)) == e for every e in the table."""
    assert ntstatus_to_wsa(wsa_to_ntstatus(err)) == err


def test_round_trip_covers_brief_table() -> None:
    """Brief: the round-trip table contains every error the brief lists."""
    assert set(WSA_TO_NT) <= set(E._WSA_TO_NTSTATUS)


def test_wsa_to_ntstatus_default() -> None:
    """Brief: errors without a natural status map to STATUS_INVALID_PARAMETER."""
    assert wsa_to_ntstatus(ErrorCode.WSAEPROCLIM) == C.STATUS_INVALID_PARAMETER
    assert wsa_to_ntstatus(123456) == C.STATUS_INVALID_PARAMETER
    assert ntstatus_to_wsa(wsa_to_ntstatus(ErrorCode.WSAEPROCLIM)) == ErrorCode.WSAEINVAL


@pytest.mark.parametrize(
    ("status", "win32"),
    [
        (0x00000000, 0),
        (0x00000103, 997),  # STATUS_PENDING -> ERROR_IO_PENDING
        (0xC0000120, 995),  # STATUS_CANCELLED
        (0xC0000241, 1236),  # STATUS_CONNECTION_ABORTED (W42)
        (0xC000013B, 64),  # STATUS_LOCAL_DISCONNECT -> ERROR_NETNAME_DELETED
        (0xC000020D, 64),  # STATUS_CONNECTION_RESET (W42)
        (0xC0000236, 1225),  # STATUS_CONNECTION_REFUSED (W43)
        (0xC00000BB, 50),  # STATUS_NOT_SUPPORTED
        (0x80000005, 234),  # STATUS_BUFFER_OVERFLOW -> ERROR_MORE_DATA
        (0xC0000023, 122),  # STATUS_BUFFER_TOO_SMALL (W79)
        (0xC000000D, 87),  # STATUS_INVALID_PARAMETER
        (0xC00000B0, 233),  # STATUS_PIPE_DISCONNECTED -> ERROR_PIPE_NOT_CONNECTED
        (0xC00000A3, 21),  # STATUS_DEVICE_NOT_READY -> ERROR_NOT_READY
        (0xC00000B5, 121),  # STATUS_IO_TIMEOUT -> ERROR_SEM_TIMEOUT
        (0xC000023C, 1231),  # STATUS_NETWORK_UNREACHABLE
        (0xC000023D, 1232),  # STATUS_HOST_UNREACHABLE
        (0xC0000225, 1168),  # STATUS_NOT_FOUND
        (0xC0000008, 6),  # STATUS_INVALID_HANDLE
    ],
)
def test_ntstatus_to_win32(status: int, win32: int) -> None:
    """RtlNtStatusToDosError (W42 note: GQCS/GetOverlappedResult report Win32 codes)."""
    assert ntstatus_to_win32(status) == win32


def test_ntstatus_to_win32_covers_all_defined_statuses() -> None:
    """ntstatus_to_win32 has an explicit row for every STATUS_* in constants (except
    STATUS_CANT_WAIT, which Windows' own table leaves unmapped: ERROR_MR_MID_NOT_FOUND)."""
    assert ntstatus_to_win32(C.STATUS_CANT_WAIT) == ErrorCode.ERROR_INVALID_PARAMETER
    for name in C.__all__:
        if name.startswith("STATUS_") and name != "STATUS_CANT_WAIT":
            assert getattr(C, name) in E._NTSTATUS_TO_WIN32, name


def test_win32_from_wsa() -> None:
    """W42: GQCS reports 64 for WSAECONNRESET and 1236 for WSAECONNABORTED; W43: 1225 refused."""
    assert win32_from_wsa(ErrorCode.WSAECONNRESET) == 64
    assert win32_from_wsa(ErrorCode.WSAECONNABORTED) == 1236
    assert win32_from_wsa(ErrorCode.WSAECONNREFUSED) == 1225
    assert win32_from_wsa(ErrorCode.WSA_OPERATION_ABORTED) == 995
    assert win32_from_wsa(ErrorCode.WSAEFAULT) == 122  # W79: ERROR_INSUFFICIENT_BUFFER
    assert win32_from_wsa(0) == 0


@given(st.integers(min_value=-(2**31), max_value=2**32 - 1))
def test_mappings_are_total(status: int) -> None:
    """Every 32-bit NTSTATUS maps to a known ErrorCode (Winsock and Win32)."""
    assert isinstance(ntstatus_to_wsa(status), ErrorCode)
    assert isinstance(ntstatus_to_win32(status), ErrorCode)
    assert ntstatus_to_wsa(status) == ntstatus_to_wsa(status & 0xFFFFFFFF)


@given(st.sampled_from(sorted({m.value for m in ErrorCode})))
def test_win32_from_wsa_total(err: int) -> None:
    """win32_from_wsa is defined for every ErrorCode value."""
    assert isinstance(win32_from_wsa(err), ErrorCode)


@pytest.mark.parametrize("bad", [2**32, -(2**31) - 1])
def test_ntstatus_out_of_range(bad: int) -> None:
    """NTSTATUS values outside 32 bits are rejected with ValueError naming 'status'."""
    with pytest.raises(ValueError, match="status="):
        ntstatus_to_wsa(bad)
    with pytest.raises(ValueError, match="status="):
        ntstatus_to_win32(bad)


def test_ntstatus_wrong_type() -> None:
    """Non-int NTSTATUS / error arguments raise TypeError naming the parameter."""
    with pytest.raises(TypeError, match="status"):
        ntstatus_to_wsa("0xC0000120")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="err"):
        wsa_to_ntstatus(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------


def test_exception_hierarchy() -> None:
    """Brief: simulator exceptions subclass WsspiSimError and the matching builtin."""
    assert issubclass(SimulationDeadlock, WsspiSimError)
    assert issubclass(SimulationDeadlock, RuntimeError)
    assert issubclass(NotModelledError, WsspiSimError)
    assert issubclass(NotModelledError, NotImplementedError)
    assert issubclass(WsspiSimError, Exception)


def test_simulation_deadlock_message() -> None:
    """Brief: the deadlock message starts with 'wsspi_sim: ' and names call and socket."""
    exc = SimulationDeadlock("WSPRecv", 0x1C4, "no peer will ever send")
    text = str(exc)
    assert text.startswith("wsspi_sim: ")
    assert "WSPRecv" in text and "452" in text and "0x1c4" in text
    assert "no peer will ever send" in text
    assert (exc.call, exc.socket, exc.detail) == ("WSPRecv", 0x1C4, "no peer will ever send")
    none = SimulationDeadlock("WSAWaitForMultipleEvents", None)
    assert str(none).startswith("wsspi_sim: ") and "WSAWaitForMultipleEvents" in str(none)
    with pytest.raises(RuntimeError, match="WSPRecv"):
        raise exc


def test_not_modelled_message() -> None:
    """Brief: NotModelledError names the feature and starts with 'wsspi_sim: '."""
    exc = NotModelledError("SIO_RCVALL")
    assert str(exc).startswith("wsspi_sim: ")
    assert "SIO_RCVALL" in str(exc)
    assert exc.feature == "SIO_RCVALL"


def test_base_error_prefix_not_doubled() -> None:
    """WsspiSimError adds the 'wsspi_sim: ' prefix once."""
    assert str(WsspiSimError("boom")) == "wsspi_sim: boom"
    assert str(WsspiSimError("wsspi_sim: boom")) == "wsspi_sim: boom"
    assert WsspiSimError("boom").message == "wsspi_sim: boom"


def test_exceptions_pickle() -> None:
    """Exceptions survive pickling (e.g. crossing a process pool) with their fields."""
    exc = pickle.loads(pickle.dumps(SimulationDeadlock("WSPAccept", 8, "no connector")))
    assert isinstance(exc, SimulationDeadlock)
    assert (exc.call, exc.socket, exc.detail) == ("WSPAccept", 8, "no connector")
    nm = pickle.loads(pickle.dumps(NotModelledError("QoS")))
    assert isinstance(nm, NotModelledError) and nm.feature == "QoS"
    base = pickle.loads(pickle.dumps(WsspiSimError("x")))
    assert str(base) == "wsspi_sim: x"
