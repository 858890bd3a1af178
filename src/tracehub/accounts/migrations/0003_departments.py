"""The departments of the Xiamen plan and the sectors each is responsible for (issue #3 item 4).

Reference data every installation needs (officials and department subsystems name one); the
platform operator can add more in the admin. Codes are stable: ``tracehub create_api_key
--department CODE`` and the demo accounts use them.
"""

from django.db import migrations

DEPARTMENTS = [
    # code, name, parent code, sectors
    ("amr", "厦门市市场监督管理局", None, ["food", "drug"]),
    ("commerce", "厦门市商务局", None, ["meat_veg", "enterprise"]),
    ("liquor", "厦门市酒类流通管理局", "commerce", ["liquor"]),
    ("agri", "厦门市农业农村局", None, ["agri", "agri_input"]),
    ("customs", "厦门海关（检验检疫）", None, ["import_food"]),
]


def create(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    DepartmentSector = apps.get_model("accounts", "DepartmentSector")
    by_code = {}
    for code, name, parent, sectors in DEPARTMENTS:
        department, _created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent)}
        )
        by_code[code] = department
        for sector in sectors:
            DepartmentSector.objects.get_or_create(department=department, sector=sector)


def remove(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    DepartmentSector = apps.get_model("accounts", "DepartmentSector")
    codes = [d[0] for d in DEPARTMENTS]
    DepartmentSector.objects.filter(department__code__in=codes).delete()
    Department.objects.filter(code__in=codes, parent__isnull=False).delete()
    Department.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles_departments_notifications")]

    operations = [migrations.RunPython(create, remove)]
