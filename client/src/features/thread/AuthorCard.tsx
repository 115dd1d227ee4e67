import { Link } from 'react-router-dom';
import type { Post } from '../../../../shared/schemas/forum';
import { Avatar } from '../../components/ui';
import { useI18n } from '../../i18n';
import { OrganisationName } from '../organisations';

/** Who wrote a post: photo, name (to the profile), role, job and organisation ("geverifieerd" when it is). */
export function AuthorCard({ author, large = false }: { author: Post['author']; large?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={`author-card${large ? ' large' : ''}`}>
      <Avatar author={author} size={large ? 56 : 40} />
      <div>
        <Link to={`/u/${author.id}`} className="author-name">
          {author.displayName}
        </Link>
        {author.role !== 'member' && <span className={`badge role-${author.role}`}>{t(`profile.role.${author.role}`)}</span>}
        {(author.jobTitle || author.organisation) && (
          <p className="author-job">
            {author.jobTitle}
            {author.jobTitle && author.organisation && ' · '}
            <OrganisationName author={author} />
          </p>
        )}
      </div>
    </div>
  );
}
