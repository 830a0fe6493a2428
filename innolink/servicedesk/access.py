"""Who may do what at the service desk. Views, the API and services ask these predicates; which
requests a user may see is ``selectors.requests_visible_to``.

- 企业用户: files requests for its own enterprise, follows every step, rates the answer.
- 部门经办人: the requests of their department (as lead or co-handler): signs, returns, asks
  co-handlers, replies, closes.
- 挂钩干部: the requests of the enterprises assigned to them; records visits and their problems.
- 诉求协调员: every request; assigns, settles returns, approves extensions, reviews 不满意,
  records 接访/恳谈会, imports 12345 transfers, keeps the routing table and cadres' lists.
- 市领导: reads everything, changes nothing.
- 组织方/系统管理员: read every request; keep the routing table, cadres and imports.
"""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role

READ_ALL = (Role.COORDINATOR, Role.LEADER, Role.ORGANIZER, Role.ADMIN)
DESK_STAFF = (Role.COORDINATOR, Role.ORGANIZER, Role.ADMIN)
MEASURE_READERS = (Role.COORDINATOR, Role.LEADER, Role.ORGANIZER, Role.ADMIN, Role.DEPT_HANDLER)


def is_enterprise_user(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(user.enterprise_id)


def is_handler(user) -> bool:
    return has_role(user, Role.DEPT_HANDLER) and bool(user.department_id)


def is_cadre(user) -> bool:
    return has_role(user, Role.CADRE)


def is_coordinator(user) -> bool:
    return has_role(user, Role.COORDINATOR)


def reads_all(user) -> bool:
    return has_role(user, *READ_ALL)


def is_desk_staff(user) -> bool:
    """Keeps the routing table, time limits, cadres' lists and imports."""
    return has_role(user, *DESK_STAFF)


def can_record_sessions(user) -> bool:
    return has_role(user, *DESK_STAFF)


def can_read_measures(user) -> bool:
    return has_role(user, *MEASURE_READERS)


def can_read_coverage(user) -> bool:
    return has_role(user, *READ_ALL)


def uses_desk(user) -> bool:
    """Anyone with a service-desk menu."""
    return (is_enterprise_user(user) or is_handler(user) or is_cadre(user) or reads_all(user))
