import { describe, expect, it } from 'vitest';
import {
  fold,
  projectDecider,
  projectFactsFor,
  type Principal,
  type ProjectCommand,
  type ProjectState,
} from '../../src/domain/index.ts';
import { deciderSpecification } from '../support/decider-spec.ts';
import { archived, memberAdded, memberRemoved, projectCreated, unarchived } from '../support/domain-fixtures.ts';
import { alice, bob, carol, dave } from '../support/personas.ts';

const given = deciderSpecification(projectDecider);

const createProject = (actor: Principal, name = 'Webshop', description?: string | null): ProjectCommand => ({
  type: 'CreateProject',
  data: { actor, name, description },
});
const add = (actor: Principal, userId: string, role = 'MEMBER'): ProjectCommand => ({
  type: 'AddProjectMember',
  data: { actor, userId, role },
});
const remove = (actor: Principal, userId: string): ProjectCommand => ({
  type: 'RemoveProjectMember',
  data: { actor, userId },
});
const archive = (actor: Principal): ProjectCommand => ({ type: 'ArchiveProject', data: { actor } });
const unarchive = (actor: Principal): ProjectCommand => ({ type: 'UnarchiveProject', data: { actor } });

describe('CreateProject', () => {
  it('an admin creates a project and becomes its PROJECT_ADMIN in the same decision', () => {
    given([]).when(createProject(bob, 'Webshop', 'The shop')).then([
      { type: 'ProjectCreated', data: { name: 'Webshop', description: 'The shop', createdBy: 'bob' } },
      { type: 'MemberAdded', data: { userId: 'bob', role: 'PROJECT_ADMIN' } },
    ]);
  });

  it('without a description the event has none; the name is trimmed', () => {
    given([]).when(createProject(bob, '  Webshop ', '  ')).then(projectCreated(bob));
  });

  it('a user cannot create projects', () => {
    given([]).when(createProject(alice)).thenRefused({ code: 'FORBIDDEN' });
  });

  it.each(['ab', 'x'.repeat(101), '-shop', 'shop!'])('the name %j is refused on field name', (name) => {
    given([]).when(createProject(bob, name)).thenRefused({ code: 'VALIDATION', field: 'name' });
  });

  it('names of 3 and 100 characters are accepted', () => {
    given([]).when(createProject(bob, 'abc')).then(projectCreated(bob, 'abc'));
    given([]).when(createProject(bob, 'x'.repeat(100))).then(projectCreated(bob, 'x'.repeat(100)));
  });

  it('an existing project cannot be created again', () => {
    given(projectCreated()).when(createProject(bob)).thenRefused({ code: 'INVALID_STATE', currentStatus: 'ACTIVE' });
  });
});

describe('AddProjectMember', () => {
  it('a tenant admin adds a member', () => {
    given(projectCreated(bob)).when(add(carol, 'alice')).then([memberAdded('alice')]);
  });

  it('a project admin who is not a tenant admin adds a member', () => {
    given([...projectCreated(bob), memberAdded('alice', 'PROJECT_ADMIN')])
      .when(add(alice, 'dave'))
      .then([memberAdded('dave')]);
  });

  it('a plain member or an outsider cannot add members', () => {
    given([...projectCreated(bob), memberAdded('alice')]).when(add(alice, 'dave')).thenRefused({ code: 'FORBIDDEN' });
    given(projectCreated(bob)).when(add(dave, 'dave')).thenRefused({ code: 'FORBIDDEN' });
  });

  it('adding a member again with the same role is a no-op', () => {
    given([...projectCreated(bob), memberAdded('alice')]).when(add(bob, 'alice')).thenNothingHappens();
    given(projectCreated(bob)).when(add(bob, 'bob', 'PROJECT_ADMIN')).thenNothingHappens();
  });

  it('adding a member with another role changes the role', () => {
    given([...projectCreated(bob), memberAdded('alice')])
      .when(add(bob, 'alice', 'PROJECT_ADMIN'))
      .then([memberAdded('alice', 'PROJECT_ADMIN')]);
  });

  it('needs a known role and a user id', () => {
    given(projectCreated(bob)).when(add(bob, 'alice', 'OWNER')).thenRefused({ code: 'VALIDATION', field: 'role' });
    given(projectCreated(bob)).when(add(bob, '  ')).thenRefused({ code: 'VALIDATION', field: 'userId' });
  });

  it('an ARCHIVED project cannot change', () => {
    given([...projectCreated(bob), archived])
      .when(add(bob, 'alice'))
      .thenRefused({ code: 'INVALID_STATE', currentStatus: 'ARCHIVED' });
  });

  it('a project that does not exist is NOT_FOUND', () => {
    given([]).when(add(bob, 'alice')).thenRefused({ code: 'NOT_FOUND' });
  });
});

describe('RemoveProjectMember', () => {
  const withAlice = [...projectCreated(bob), memberAdded('alice')];

  it('an admin removes a member', () => {
    given(withAlice).when(remove(bob, 'alice')).then([memberRemoved('alice')]);
  });

  it('a project admin removes a member', () => {
    given([...withAlice, memberAdded('dave', 'PROJECT_ADMIN')]).when(remove(dave, 'alice')).then([memberRemoved('alice')]);
  });

  it('removing someone who is not a member is a no-op, also when repeated', () => {
    given(withAlice).when(remove(bob, 'dave')).thenNothingHappens();
    given([...withAlice, memberRemoved('alice')]).when(remove(bob, 'alice')).thenNothingHappens();
  });

  it('the creator cannot be removed, not even by another admin', () => {
    given(withAlice).when(remove(carol, 'bob')).thenRefused({ code: 'FORBIDDEN', message: expect.stringContaining('creator') });
  });

  it('a plain member cannot remove members', () => {
    given([...withAlice, memberAdded('dave')]).when(remove(alice, 'dave')).thenRefused({ code: 'FORBIDDEN' });
  });

  it('an ARCHIVED project cannot change', () => {
    given([...withAlice, archived]).when(remove(bob, 'alice')).thenRefused({
      code: 'INVALID_STATE',
      currentStatus: 'ARCHIVED',
    });
  });
});

describe('ArchiveProject / UnarchiveProject', () => {
  it('an admin archives an ACTIVE project; archiving again is a no-op', () => {
    given(projectCreated(bob)).when(archive(carol)).then([archived]);
    given([...projectCreated(bob), archived]).when(archive(carol)).thenNothingHappens();
  });

  it('an admin unarchives an ARCHIVED project; unarchiving an ACTIVE one is a no-op', () => {
    given([...projectCreated(bob), archived]).when(unarchive(bob)).then([unarchived]);
    given(projectCreated(bob)).when(unarchive(bob)).thenNothingHappens();
    given([...projectCreated(bob), archived, unarchived]).when(unarchive(bob)).thenNothingHappens();
  });

  it('only tenant admins archive or unarchive, not project admins', () => {
    const withProjectAdmin = [...projectCreated(bob), memberAdded('alice', 'PROJECT_ADMIN')];
    given(withProjectAdmin).when(archive(alice)).thenRefused({ code: 'FORBIDDEN' });
    given([...withProjectAdmin, archived]).when(unarchive(alice)).thenRefused({ code: 'FORBIDDEN' });
  });

  it('a project that does not exist is NOT_FOUND', () => {
    given([]).when(archive(bob)).thenRefused({ code: 'NOT_FOUND' });
    given([]).when(unarchive(bob)).thenRefused({ code: 'NOT_FOUND' });
  });

  it('an unarchived project accepts changes again', () => {
    given([...projectCreated(bob), archived, unarchived]).when(add(bob, 'alice')).then([memberAdded('alice')]);
  });
});

describe('state', () => {
  it('rebuilds members, roles and status from the history', () => {
    const expected: ProjectState = {
      status: 'ARCHIVED',
      version: 7,
      name: 'Webshop',
      description: null,
      createdBy: 'bob',
      members: [
        { userId: 'bob', role: 'PROJECT_ADMIN' },
        { userId: 'dave', role: 'PROJECT_ADMIN' },
      ],
      quota: { maxVms: null, maxVCpus: null, maxRamGb: null, maxStorageGb: null },
    };
    given([
      ...projectCreated(bob),
      memberAdded('alice'),
      memberAdded('dave'),
      memberRemoved('alice'),
      memberAdded('dave', 'PROJECT_ADMIN'),
      archived,
    ]).thenState(expected);
  });

  it('gives a VM request the facts it needs about the project', () => {
    const project = fold(projectDecider, [...projectCreated(bob), memberAdded('alice')]);
    expect(projectFactsFor(project, 'alice')).toEqual({ status: 'ACTIVE', isMember: true });
    expect(projectFactsFor(project, 'dave')).toEqual({ status: 'ACTIVE', isMember: false });
    expect(projectFactsFor(fold(projectDecider, []), 'alice')).toBeNull();
  });
});
