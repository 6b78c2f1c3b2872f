"""Factories for tests. Tenant rows always get their agency explicitly."""

import datetime as dt
from decimal import Decimal

import factory

from accounts.models import Membership, User
from agencies.models import Agency, Role
from staffing.models import (
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    JobFunction,
    Placement,
)

PASSWORD = "Test-password-1"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} Uitzend")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nl")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.FLEXWORKER


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Opdrachtgever {n} B.V.")


class CostCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCentre

    agency = factory.SubFactory(AgencyFactory)
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    code = factory.Sequence(lambda n: f"{100 + n}")
    name = factory.Sequence(lambda n: f"Locatie {n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    name = factory.Sequence(lambda n: f"Afdeling {n}")


class JobFunctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobFunction

    agency = factory.SubFactory(AgencyFactory)
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    name = factory.Sequence(lambda n: f"Functie {n}")


class FlexworkerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlexworkerProfile

    agency = factory.SubFactory(AgencyFactory)
    membership = factory.SubFactory(
        MembershipFactory, agency=factory.SelfAttribute("..agency"), role=Role.FLEXWORKER
    )
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    first_name = factory.SelfAttribute("membership.user.first_name")
    last_name = factory.SelfAttribute("membership.user.last_name")
    iban = "NL91ABNA0417164300"
    bsn = "123456782"


class ClientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    agency = factory.SubFactory(AgencyFactory)
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    membership = factory.SubFactory(
        MembershipFactory, agency=factory.SelfAttribute("..agency"), role=Role.CLIENT_CONTACT
    )


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    agency = factory.SubFactory(AgencyFactory)
    department = factory.SubFactory(DepartmentFactory, agency=factory.SelfAttribute("..agency"))
    worker = factory.SubFactory(FlexworkerProfileFactory, agency=factory.SelfAttribute("..agency"))
    function = factory.SubFactory(
        JobFunctionFactory,
        client=factory.SelfAttribute("..department.client"),
        agency=factory.SelfAttribute("..agency"),
    )
    start_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(weeks=4))
    hourly_wage = Decimal("15.20")
    client_rate = Decimal("28.12")
    contract_minutes_per_week = 40 * 60
